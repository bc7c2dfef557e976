"""Collect every translatable text in the code into resources/translations/en.json.

A translatable text is the Vietnamese string literal given as the first argument to ``tr(...)``
(``domain.i18n.tr``), or to ``N_(...)`` for constants that are built at import and translated with
``tr`` where they are shown. Implicitly concatenated literals (``tr("a" "b")``) count as one text.

    .venv/bin/python scripts/extract_strings.py           # add new texts (empty), drop unused ones
    .venv/bin/python scripts/extract_strings.py --check   # list untranslated/unused texts, exit 1 if any

Existing translations are kept. The file is written with sorted keys so diffs stay small.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("desk_app", "central_server")
MARKERS = {"tr", "N_"}
CATALOGUE = ROOT / "resources" / "translations" / "en.json"


def _texts_in(path: Path, root: Path) -> dict[str, list[str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS
                and node.args):
            continue
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            where = "%s:%d" % (path.relative_to(root).as_posix(), node.lineno)
            found.setdefault(arg.value, []).append(where)
    return found


def extract(root: Path = ROOT) -> dict[str, list[str]]:
    """Every translatable text in the code, with where it occurs ("path:line")."""
    texts: dict[str, list[str]] = {}
    for source in SOURCES:
        for path in sorted((root / source).rglob("*.py")):
            for text, places in _texts_in(path, root).items():
                texts.setdefault(text, []).extend(places)
    return texts


def load(path: Path = CATALOGUE) -> dict[str, str]:
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def dump(catalogue: dict[str, str], path: Path = CATALOGUE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(catalogue.items())), ensure_ascii=False, indent=1) + "\n", "utf-8")


def update(texts: dict[str, list[str]], catalogue: dict[str, str]) -> dict[str, str]:
    """The catalogue for these texts: existing translations kept, new texts empty, unused ones dropped."""
    return {text: catalogue.get(text, "") for text in sorted(texts)}


def problems(texts: dict[str, list[str]], catalogue: dict[str, str]) -> list[str]:
    """One line per text without an English translation, and per catalogue entry no longer used."""
    lines = []
    for text in sorted(texts):
        if text not in catalogue:
            lines.append("missing: %r (%s)" % (text, texts[text][0]))
        elif not catalogue[text].strip():
            lines.append("empty:   %r (%s)" % (text, texts[text][0]))
    lines.extend("unused:  %r" % text for text in sorted(set(catalogue) - set(texts)))
    return lines


def check(root: Path = ROOT, path: Path = CATALOGUE) -> list[str]:
    return problems(extract(root), load(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; list missing, empty and unused entries and exit 1 if there are any")
    args = parser.parse_args(argv)
    texts = extract()
    if args.check:
        lines = problems(texts, load())
        for line in lines:
            print(line)
        print("%d texts, %d problems in %s" % (len(texts), len(lines), CATALOGUE.relative_to(ROOT)))
        return 1 if lines else 0
    before = load()
    after = update(texts, before)
    dump(after)
    added = len(set(after) - set(before))
    dropped = len(set(before) - set(after))
    empty = sum(1 for v in after.values() if not v.strip())
    print("%d texts in %s: %d added, %d dropped, %d untranslated"
          % (len(after), CATALOGUE.relative_to(ROOT), added, dropped, empty))
    return 0


if __name__ == "__main__":
    sys.exit(main())

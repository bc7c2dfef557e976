"""Translatable texts: Vietnamese is the source language, English the second.

Texts are written in Vietnamese in the code and looked up in a catalogue for other
languages. Placeholders are named (``{code}``) and filled after translation, so a
translation can move them.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from pathlib import Path
from typing import Iterator

_CATALOGUES: dict[str, dict[str, str]] = {}
_language = "vi"
# A language for one piece of work only (a web request), over the program's language: a
# ContextVar, so concurrent requests each keep their own.
_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("language", default=None)
_TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "translations"


def _load(language: str) -> None:
    if language != "vi" and language not in _CATALOGUES:
        path = _TRANSLATIONS_DIR / f"{language}.json"
        _CATALOGUES[language] = json.loads(path.read_text("utf-8")) if path.exists() else {}


def set_language(language: str) -> None:
    """Choose the language of every text shown from now on ("vi" or "en")."""
    global _language
    _language = language
    _load(language)


@contextlib.contextmanager
def using_language(language: str) -> Iterator[None]:
    """Texts in ``language`` inside the block, for this context only (one web request)."""
    _load(language)
    token = _override.set(language)
    try:
        yield
    finally:
        _override.reset(token)


def language() -> str:
    return _override.get() or _language


def tr(text: str) -> str:
    """Return ``text`` (Vietnamese) in the current language."""
    lang = _override.get() or _language
    if lang == "vi":
        return text
    return _CATALOGUES.get(lang, {}).get(text, text)


def N_(text: str) -> str:
    """Mark ``text`` as translatable without translating it now.

    For constants built when a module is imported, before the language is chosen: keep the
    Vietnamese text in the constant and call ``tr`` where it is shown. The marker lets
    ``scripts/extract_strings.py`` put the text in the catalogues.
    """
    return text

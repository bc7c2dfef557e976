"""Translatable texts: Vietnamese is the source language, English the second.

Texts are written in Vietnamese in the code and looked up in a catalogue for other
languages. Placeholders are named (``{code}``) and filled after translation, so a
translation can move them.
"""

from __future__ import annotations

import json
from pathlib import Path

_CATALOGUES: dict[str, dict[str, str]] = {}
_language = "vi"
_TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "translations"


def set_language(language: str) -> None:
    """Choose the language of every text shown from now on ("vi" or "en")."""
    global _language
    _language = language
    if language != "vi" and language not in _CATALOGUES:
        path = _TRANSLATIONS_DIR / f"{language}.json"
        _CATALOGUES[language] = json.loads(path.read_text("utf-8")) if path.exists() else {}


def language() -> str:
    return _language


def tr(text: str) -> str:
    """Return ``text`` (Vietnamese) in the current language."""
    if _language == "vi":
        return text
    return _CATALOGUES.get(_language, {}).get(text, text)


def N_(text: str) -> str:
    """Mark ``text`` as translatable without translating it now.

    For constants built when a module is imported, before the language is chosen: keep the
    Vietnamese text in the constant and call ``tr`` where it is shown. The marker lets
    ``scripts/extract_strings.py`` put the text in the catalogues.
    """
    return text

"""Text normalisation: NFC on the way in, and diacritic folding for search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def clean(text: str | None) -> str:
    """NFC-normalise, trim and collapse inner whitespace."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def one_line(text: str | None) -> str:
    """What a person typed in a one-line field from outside (a web form): ``clean``, with control
    characters, NUL and lone surrogates dropped."""
    if not text:
        return ""
    return clean("".join(c if unicodedata.category(c)[0] != "C" else " " for c in text))


def fold(text: str | None) -> str:
    """Lower-case ASCII form for search: "Nguyễn Văn Đức" -> "nguyen van duc"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", _NON_WORD.sub(" ", stripped.lower())).strip()


def search_tokens(query: str) -> list[str]:
    """The folded words of a search query."""
    return [t for t in fold(query).split(" ") if t]

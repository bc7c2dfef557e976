"""Jinja2 templates (autoescaped), the page's language, and the HTML answers."""

from __future__ import annotations

import contextlib
import functools
import hashlib
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from desk_app.domain.i18n import using_language

from .texts import t

HERE = Path(__file__).resolve().parent
LANGUAGES = ("vi", "en")
LANG_COOKIE = "lang"
CSS = (HERE / "static" / "site.css").read_bytes()
CSS_VERSION = hashlib.sha256(CSS).hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    from desk_app.domain.i18n import tr
    from desk_app.domain.procedures import format_money
    env.globals.update(t=t, money=lambda amount: format_money(amount) + tr(" đồng"), css_url="/static/site-%s.css" % CSS_VERSION)
    return env


def language_of(request: Request) -> str:
    """``?lang=`` if it names a language, else the cookie the switch set, else Vietnamese."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    return kept if kept in LANGUAGES else "vi"


@contextlib.contextmanager
def language(request: Request) -> Iterator[str]:
    lang = language_of(request)
    with using_language(lang):
        yield lang


def switch_url(request: Request, lang: str) -> str:
    """This page's address in the other language (its other query parameters kept)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "ok", "err")]
    params.append(("lang", "en" if lang == "vi" else "vi"))
    return request.url.path + "?" + urlencode(params)


def render(request: Request, lang: str, template: str, switch: str | None = None, **context) -> str:
    """A page's HTML: ``template`` with ``context``, in ``lang``."""
    return environment().get_template(template).render(
        lang=lang, switch_url=switch if switch is not None else switch_url(request, lang), **context)


def respond(request: Request, lang: str, html: str | bytes, status: int = 200,
            headers: dict | None = None) -> HTMLResponse:
    """The answer carrying a rendered page. A ``?lang=`` the citizen chose is kept in a cookie
    (first party, SameSite=Lax, readable by no script)."""
    response = HTMLResponse(html, status_code=status, headers=headers)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    return response


def page(request: Request, lang: str, template: str, status: int = 200, headers: dict | None = None,
         switch: str | None = None, **context) -> HTMLResponse:
    """A rendered page, answered (``render`` then ``respond``)."""
    return respond(request, lang, render(request, lang, template, switch, **context), status, headers)

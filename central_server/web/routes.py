"""The pages' routes.

Every page reads its parameters from the request itself (no FastAPI validation): whatever is
sent, the answer is a page, never a JSON error, and a wrong key looks like an unknown code.
Forms POST, then redirect (303) to the dossier's page with a flash code in the query
(``?ok=rated``), so a reload sends nothing twice.
"""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from desk_app.domain import lifecycle
from desk_app.domain.dossier import EventKind, Rating
from desk_app.domain.i18n import using_language
from desk_app.domain.text import clean

from .. import citizen
from ..deps import client_ip
from ..public import find, find_async
from ..settings import vn_now
from . import content, feed, pagecache
from .probe import Busy
from .render import CSS, language, language_of, page, render, respond
from .security import same_origin, token_ok, form_token
from ..zalo.pages import box as zalo_box

router = APIRouter(include_in_schema=False)

MAX_COMMENT = 500
MAX_FORM_BYTES = 16 * 1024
# the national satisfaction criteria the page asks alongside the rating (all optional):
# name -> the answers it accepts (their texts are in texts.py)
CRITERIA = {
    "time": ("early", "on_time", "late"),
    "visits": ("one", "two", "more"),
    "attitude": ("good", "ok", "bad"),
}
CRITERIA_TEXTS = {"time": ("criterion_time", ["time_early", "time_on_time", "time_late"]),
                  "visits": ("criterion_visits", ["visits_one", "visits_two", "visits_more"]),
                  "attitude": ("criterion_attitude", ["attitude_good", "attitude_ok", "attitude_bad"])}
OK = {"rated": "ok_rated", "sent": "ok_sent", "submitted": "ok_submitted", "supplement": "ok_supplement"}
ERR = {"rated": "err_rated", "level": "err_level", "comment": "err_comment", "empty": "err_empty",
       "long": "err_long", "waiting": "err_waiting", "invalid": "err_invalid", "file": "err_file"}


def _db(request: Request):
    return request.app.state.db


def _limited(request: Request, limiter, lang: str) -> Response | None:
    """The 429 page if this client asked too often."""
    wait = limiter.take(client_ip(request))
    if wait <= 0:
        return None
    seconds = max(1, int(wait + 0.999))
    return page(request, lang, "message.html", status=429, headers={"Retry-After": str(seconds)}, switch="/",
                title_key="too_many_title", text_key="too_many", n=seconds)


def _not_found(request: Request, lang: str) -> Response:
    """The one answer to an unknown code and to a wrong key: nothing in it depends on either."""
    return page(request, lang, "message.html", status=404, switch="/?lang=" + ("en" if lang == "vi" else "vi"),
                title_key="not_found_title", text_key="not_found", hint_key="not_found_hint", n=0)


# -- the dossier page ----------------------------------------------------------------------

async def dossier(request: Request) -> Response:
    """The dossier page at the receipt's link. The rate limit is taken here, on the event loop
    (memory only). The probe by code and key runs on the loop on PostgreSQL (``web.probe``),
    and a kept page is answered from there; the rendering of any other page, and every read on
    SQLite, run in the page readers' threads, so a slow database holds one thread, not the
    whole process. A plain Starlette route: no parameter here needs FastAPI's validation (see
    the module's docstring)."""
    lang = language_of(request)
    with using_language(lang):
        refused = _limited(request, request.app.state.limiter, lang)
    if refused is not None:
        return refused
    code, probe = request.path_params["code"], request.app.state.page_probe
    loop = asyncio.get_running_loop()
    if probe is not None:
        now = vn_now()
        try:
            row = await find_async(probe.row, code, _key(request), now=now)
        except Busy:
            pass   # every connection of the probe is in use: the thread path below
        else:
            with using_language(lang):
                if row is None:
                    return _not_found(request, lang)
                found = _found(request, lang, row, now)
                if isinstance(found, Response):
                    return found
            return await loop.run_in_executor(request.app.state.page_readers, _render_found, request, lang, found)
    # asyncio's own executor hand-off (a queue and a wake-up) is lighter than the threadpool
    # FastAPI runs sync routes in (web.install: as many threads as the database pool has connections)
    return await loop.run_in_executor(request.app.state.page_readers, _dossier, request, code, lang)


def _key(request: Request) -> str:
    return request.query_params.get("k", "")[:100]


@dataclass(frozen=True)
class _Found:
    """A dossier found by the probe whose page is not kept: what its rendering needs."""

    row: Any
    now: datetime
    verdict: lifecycle.Verdict
    zalo: dict | None
    kept_as: tuple
    stamp: tuple


def _found(request: Request, lang: str, row, now):
    """The kept page of the dossier the probe found (``row``) as the answer, if nothing on it
    changed; else what rendering it needs (``_Found``)."""
    verdict = content.verdict_of(row, now)
    zalo = zalo_box(request, row)  # None unless the server's Zalo OA is configured
    kept_as = (row.code, lang, request.scope["path"], request.scope["query_string"])
    stamp = pagecache.stamp(row, verdict, zalo)
    html = request.app.state.page_cache.get(kept_as, stamp)
    if html is not None:
        return respond(request, lang, html)
    return _Found(row, now, verdict, zalo, kept_as, stamp)


def _dossier(request: Request, code: str, lang: str) -> Response:
    now = vn_now()
    with using_language(lang), _db(request).reading() as s:  # a plain connection: no ORM needed
        # the dossier by code and key, and beside it the versions of all else the page shows
        row = find(s, code, _key(request), request.app.state.page_statement, now=now)
        if row is None:
            return _not_found(request, lang)
        found = _found(request, lang, row, now)
        return found if isinstance(found, Response) else _render(request, lang, s, found)


def _render_found(request: Request, lang: str, found: _Found) -> Response:
    with using_language(lang), _db(request).reading() as s:
        return _render(request, lang, s, found)


def _render(request: Request, lang: str, s, found: _Found) -> Response:
    html = _render_dossier(request, lang, s, found.row, found.now, found.verdict, _key(request),
                           found.zalo).encode("utf-8")
    if content.stamped_procedure(found.row.procedure_code):
        request.app.state.page_cache.put(found.kept_as, found.stamp, html)  # (else the stamp would not cover its catalogue entry)
    return respond(request, lang, html)


def _render_dossier(request: Request, lang: str, s, row, now, verdict, key: str, zalo: dict | None) -> str:
    view = content.dossier_page(s, row, now, request.app.state.page_parts, verdict)
    ok = request.query_params.get("ok")
    err = request.query_params.get("err")
    settings = request.app.state.settings
    flash_values = {"n": {"comment": MAX_COMMENT, "long": lifecycle.MAX_MESSAGE,
                          "waiting": settings.web_max_unanswered}.get(err, 0)}
    return render(request, lang, "dossier.html", d=view, key=key,
                  token=form_token(request.app.state.web_secret, view.code, key),
                  ok=OK.get(ok), err=ERR.get(err), flash_values=flash_values,
                  levels=[(r.value, r.label) for r in Rating], criteria=CRITERIA, criteria_texts=CRITERIA_TEXTS,
                  max_message=lifecycle.MAX_MESSAGE, max_comment=MAX_COMMENT,
                  max_unanswered=settings.web_max_unanswered, zalo=zalo)


# (registered by ``web.install`` at the head of the app's routes: matched before the API's)


async def _form(request: Request) -> dict[str, str] | None:
    """A small URL-encoded form, or None if it is not one."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_FORM_BYTES):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    if not (request.headers.get("content-type") or "").lower().startswith("application/x-www-form-urlencoded"):
        return None
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                          max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return None
    form: dict[str, str] = {}
    for k, v in pairs:
        form.setdefault(k, v)
    return form


def _back(code: str, key: str, **flash) -> RedirectResponse:
    return RedirectResponse("/h/%s?%s" % (code, urlencode({"k": key, **flash})), status_code=303)


async def _posted(request: Request, code: str, lang: str):
    """The checks every form goes through: the rate, the origin, the form, the dossier, the
    token. Returns (form, row, None) or (None, None, the answer to send)."""
    refused = _limited(request, request.app.state.web_post_limiter, lang)
    if refused is not None:
        return None, None, refused
    if not same_origin(request):
        return None, None, _forbidden(request, lang)
    form = await _form(request)
    key = (form or {}).get("k", "")[:100]
    with _db(request).session(write=False) as s:
        row = find(s, code, key)
    if row is None:
        return None, None, _not_found(request, lang)
    if form is None or not token_ok(request.app.state.web_secret, row.code, key, form.get("token", "")):
        return None, None, _forbidden(request, lang)
    return form, row, None


def _forbidden(request: Request, lang: str) -> Response:
    return page(request, lang, "message.html", status=403, switch="/", title_key="forbidden_title",
                text_key="forbidden", n=0)


def _text(value: str) -> str:
    """A text the citizen typed: NFC, lines kept, other control characters dropped, trimmed."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = "".join(c for c in value if c == "\n" or c == "\t" or unicodedata.category(c)[0] != "C")
    lines = [line.rstrip() for line in value.split("\n")]
    while "" in lines[:1]:
        lines.pop(0)
    out, blank = [], 0
    for line in lines:
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            out.append(line)
    return "\n".join(out).strip()


@router.post("/h/{code}/danh-gia")
async def rate(request: Request, code: str):
    with language(request) as lang:
        form, row, answer = await _posted(request, code, lang)
        if answer is not None:
            return answer
        key = form["k"]
        level = form.get("level", "")
        if level not in {r.value for r in Rating}:
            return _back(row.code, key, err="level")
        comment = clean(form.get("comment", ""))
        if len(comment) > MAX_COMMENT:
            return _back(row.code, key, err="comment")
        criteria = {name: form[name] for name, answers in CRITERIA.items() if form.get(name) in answers}
        # the clerk rated is the one who received the dossier, as at the kiosk
        payload = {"level": level, "comment": comment, "clerk": _clerk(request, row.code), "channel": "web"}
        if criteria:
            payload["criteria"] = criteria
        try:
            with _db(request).session() as s:
                citizen.append(s, row.code, EventKind.RATED, payload, vn_now())
        except citizen.CitizenRefusal:
            return _back(row.code, key, err="rated")  # the reducer's one refusal of a rating
        return _back(row.code, key, ok="rated")


def _clerk(request: Request, code: str) -> str:
    """The receiving clerk (the reducer's ``receiver``: for an online submission, who accepted it)."""
    from sqlalchemy import select
    from ..models import DossierState
    with _db(request).session(write=False) as s:
        return s.execute(select(DossierState.receiver).where(DossierState.code == code)).scalar() or ""


@router.post("/h/{code}/tin-nhan")
async def message(request: Request, code: str):
    with language(request) as lang:
        form, row, answer = await _posted(request, code, lang)
        if answer is not None:
            return answer
        key = form["k"]
        text = _text(form.get("text", ""))
        if not text:
            return _back(row.code, key, err="empty")
        if len(text) > lifecycle.MAX_MESSAGE:
            return _back(row.code, key, err="long")
        limit = request.app.state.settings.web_max_unanswered

        def not_too_many(state: lifecycle.DossierState) -> None:  # under the push lock: no race
            if state.unanswered_messages >= limit:
                raise citizen.CitizenRefusal("waiting", "")
        try:
            with _db(request).session() as s:
                citizen.append(s, row.code, EventKind.CITIZEN_MESSAGE, {"text": text, "channel": "web"}, vn_now(),
                               check=not_too_many)
        except citizen.CitizenRefusal as refusal:
            return _back(row.code, key, err="waiting" if refusal.code == "waiting" else "invalid")
        return _back(row.code, key, ok="sent")


# -- public pages --------------------------------------------------------------------------

@router.get("/")
async def home(request: Request):
    with language(request) as lang:
        refused = _limited(request, request.app.state.limiter, lang)
        if refused is not None:
            return refused
        now = vn_now()
        with _db(request).session(write=False) as s:
            centres = content.centres(s)
            notices = content.current_announcements(s, now)
        by_agency: dict[str, list] = {}
        for a in notices:
            by_agency.setdefault(a.agency_code, []).append(a)
        known = {code for code, _ in centres}
        others = [a for a in notices if a.agency_code not in known]
        return page(request, lang, "home.html", centres=centres, notices=by_agency, others=others)


@router.get("/thu-tuc")
async def catalogue(request: Request):
    with language(request) as lang:
        refused = _limited(request, request.app.state.limiter, lang)
        if refused is not None:
            return refused
        q = request.query_params.get("q", "")[:200]
        agency = request.query_params.get("co-quan", "")[:20] or None
        with _db(request).session(write=False) as s:
            hits, more = content.search(s, q, agency)
        return page(request, lang, "catalogue.html", q=q, hits=hits, more=more, limit=content.SEARCH_LIMIT)


@router.get("/thu-tuc/{agency}/{code}")
async def procedure(request: Request, agency: str, code: str):
    with language(request) as lang:
        refused = _limited(request, request.app.state.limiter, lang)
        if refused is not None:
            return refused
        with _db(request).session(write=False) as s:
            view = content.procedure(s, agency[:20], code[:60])
        if view is None:
            return page(request, lang, "message.html", status=404, switch="/thu-tuc",
                        title_key="search_none", text_key="search_none", n=0)
        return page(request, lang, "procedure.html", p=view)


@router.get("/thong-bao.atom")
async def announcements_feed(request: Request):
    refused = _limited(request, request.app.state.limiter, "vi")
    if refused is not None:
        return refused
    agency = request.query_params.get("co-quan", "")[:20] or None
    now = vn_now()
    with _db(request).session(write=False) as s:
        notices = content.current_announcements(s, now, agency)
        names = {code: place.name for code, place in content.centres(s)}
    base = str(request.base_url).rstrip("/")
    return Response(feed.atom(notices, names, base, now), media_type="application/atom+xml; charset=utf-8")


@router.get("/static/site-{version}.css")
async def stylesheet(version: str):
    # the address changes with the file: it may be kept a long time
    return Response(CSS, media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=31536000, immutable"})

"""The dossier page's Zalo box and its two forms: get a one-time link code, unlink.

The forms go through the same checks as the page's other forms (rate, origin, the dossier's
key, the form token: ``web.routes._posted``). The code is shown once, on the answer to the
form (only its SHA-256 is stored); asking again makes another.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from ..models import NotifyPreference, ZaloLink
from ..settings import vn_now
from ..web.render import language, page
from . import links

router = APIRouter(include_in_schema=False)
FLASH = {"unlinked": "zalo_unlinked"}


def _when(value) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else ""


def box_columns(code) -> tuple:
    """What the box shows, as columns beside the dossier's row in the page's probe
    (``web.pagecache.statement``, given the dossiers' ``code`` column): read in the same round
    trip, and so part of the kept page's stamp. Read only when the OA is configured."""
    linked = select(ZaloLink.linked_at).where(ZaloLink.dossier_code == code, ZaloLink.unlinked_at.is_(None)) \
        .order_by(ZaloLink.id.desc()).limit(1).scalar_subquery()
    notify = select(NotifyPreference.notify).where(NotifyPreference.dossier_code == code).scalar_subquery()
    return linked.label("zalo_linked_at"), notify.label("zalo_notify")


def box(request: Request, row) -> dict | None:
    """What the dossier page's Zalo box shows (None when the OA is not configured: no box), from
    the probe's row (``box_columns``)."""
    settings = request.app.state.settings
    if not settings.zalo_enabled:
        return None
    return {"linked_at": _when(row.zalo_linked_at), "muted": row.zalo_notify is False,
            "oa_name": settings.zalo_oa_name or "", "flash": FLASH.get(request.query_params.get("zalo", ""))}


@router.post("/h/{code}/zalo")
async def link_code(request: Request, code: str):
    from ..web.routes import _posted
    with language(request) as lang:
        form, row, answer = await _posted(request, code, lang)
        if answer is not None:
            return answer
        settings = request.app.state.settings
        now = vn_now()
        with request.app.state.db.session() as s:
            shown, expires = links.new_code(s, row.code, now, settings.zalo_link_code_hours)
        back = "/h/%s?%s" % (quote(row.code), urlencode({"k": form["k"]}))
        return page(request, lang, "zalo_code.html", switch=back, link_code=shown, expires=_when(expires),
                    oa_name=settings.zalo_oa_name or "", oa_url="https://zalo.me/%s" % quote(settings.zalo_oa_id),
                    back=back)


@router.post("/h/{code}/zalo/huy")
async def unlink(request: Request, code: str):
    from ..web.routes import _posted
    with language(request) as lang:
        form, row, answer = await _posted(request, code, lang)
        if answer is not None:
            return answer
        with request.app.state.db.session() as s:
            links.unlink_dossier(s, row.code, vn_now(), "citizen")
        return RedirectResponse("/h/%s?%s" % (row.code, urlencode({"k": form["k"], "zalo": "unlinked"})),
                                status_code=303)

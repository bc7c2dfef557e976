"""What a route may ask for: the database, the settings, the calling desk, a rate check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from desk_app.domain.i18n import tr

from . import desks
from .blobs import BlobStore
from .db import ServerDatabase
from .errors import ApiError
from .security import DeskIdentity, bearer, check_admin
from .settings import Settings, vn_now


# Plain look-ups are ``async``: FastAPI then runs them on the event loop instead of handing
# each one to a worker thread and back.
async def get_db(request: Request) -> ServerDatabase:
    return request.app.state.db


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_blobs(request: Request) -> BlobStore:
    return request.app.state.blobs


DbDep = Annotated[ServerDatabase, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
BlobsDep = Annotated[BlobStore, Depends(get_blobs)]


def current_desk(db: DbDep, authorization: Annotated[str | None, Header()] = None) -> DeskIdentity:
    token = bearer(authorization)
    now = vn_now()
    with db.session(write=False) as s:
        desk = desks.authenticate(s, token, now)
        stale = desks.needs_seen_update(s, desk.id, now)
    if stale:
        with db.session() as s:
            desks.touch(s, desk.id, now)
    return desk


CurrentDesk = Annotated[DeskIdentity, Depends(current_desk)]


def require_admin(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    check_admin(authorization, settings.admin_token)


AdminDep = Depends(require_admin)


def trusted_proxies(settings: Settings) -> frozenset[str]:
    """The addresses whose ``X-Forwarded-For`` is believed (``forwarded_allow_ips``; none by
    default). ``*`` trusts every peer: only behind a proxy that no one can bypass."""
    return frozenset(ip.strip() for ip in (settings.forwarded_allow_ips or "").split(",") if ip.strip())


def client_ip(request: Request) -> str:
    """Who is asking, for the rate limits: the direct peer, unless the peer is a proxy the
    operator configured; then the last address the proxies added that is not one of them
    (the client's own header entries before it can be anything and are not believed)."""
    peer = request.client.host if request.client else "?"
    trusted = trusted_proxies(request.app.state.settings)
    if not trusted or (peer not in trusted and "*" not in trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return peer


def _limit(limiter, request: Request) -> None:
    wait = limiter.take(client_ip(request))
    if wait > 0:
        seconds = max(1, int(wait + 0.999))
        raise ApiError(429, "rate_limited", tr("Quá nhiều yêu cầu. Vui lòng thử lại sau {n} giây.").format(n=seconds),
                       headers={"Retry-After": str(seconds)}, retry_after=seconds)


async def public_rate(request: Request) -> None:  # in memory: no need for a worker thread
    """Per client IP: the citizens' status lookups."""
    _limit(request.app.state.limiter, request)


async def enrol_rate(request: Request) -> None:
    """Per client IP: enrolment, the other door open without a token."""
    _limit(request.app.state.enrol_limiter, request)


RateLimited = Depends(public_rate)
EnrolRateLimited = Depends(enrol_rate)

"""The OA Open API as the server uses it, and the OA's tokens.

Every call carries the bare ``access_token`` header. Zalo answers errors as HTTP 200 with a
non-zero ``error``. The refresh token is single use and rotates: refreshing is serialised
(one at a time in the sending process, and only the process holding the notify lease sends),
and the new pair is committed before it is used. A failed refresh is recorded with the time
(the admin must consent again: ``desk-app server zalo-consent``, see ``consent.py``), logged
as an error, and not tried again until the tokens change.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from ..models import ZaloToken
from ..settings import vn_now

log = logging.getLogger("central_server.zalo")

TOKEN_ERRORS = {-216, -220, -124}         # invalid or expired: refresh once, retry once
RATE_ERRORS = {-32, -144, -211, -115}     # rate, daily limit, quota: back off
LATER_ERRORS = {-133}                      # no sending at night: later
WINDOW_ERRORS = {-230, -232, -213}         # no interaction lately / not a follower: use the template


@dataclass
class Answer:
    ok: bool
    error: int                  # Zalo's code; 0 when ok; 1 for a transport or HTTP failure
    message: str = ""
    data: dict | None = None
    transient: bool = False     # HTTP 5xx/429 or the network


class Tokens:
    def __init__(self, db, settings):
        self.db, self.settings = db, settings
        self.lock = asyncio.Lock()
        self.refreshes = 0
        # the row as last read or written by this process, kept between rounds: read again only
        # on a token error (``refresh``), while a refresh has failed (``awaiting_consent``, to
        # see the admin's consent), or when it is missing
        self.cached: ZaloToken | None = None

    def _read(self) -> ZaloToken | None:
        s = self.settings
        with self.db.session() as session:
            row = session.get(ZaloToken, s.zalo_oa_id)
            if row is None and s.zalo_refresh_token:
                row = ZaloToken(oa_id=s.zalo_oa_id, access_token=s.zalo_access_token,
                                refresh_token=s.zalo_refresh_token, expires_at=None, updated_at=vn_now())
                session.add(row)
        self.cached = row
        return row

    def awaiting_consent(self) -> bool:
        """A refresh failed and the admin has not consented again yet: sending waits (the
        notices stay pending, using none of their attempts) instead of failing one by one."""
        row = self.cached
        if row is not None and row.failed_at is None:
            return False   # as this process last saw it: a token error reads it again
        with self.db.session(write=False) as session:
            row = session.get(ZaloToken, self.settings.zalo_oa_id)
            if row is not None and row.failed_at is None:
                self.cached = row
            return row is not None and row.failed_at is not None

    async def access(self) -> str | None:
        row = self.cached
        if row is None or row.failed_at is not None:
            row = await asyncio.to_thread(self._read)
        if row is None:
            return None
        if row.access_token and (row.expires_at is None or row.expires_at > vn_now() + timedelta(minutes=5)):
            return row.access_token
        return await self.refresh(row.access_token)

    async def refresh(self, used: str | None, client: httpx.AsyncClient | None = None) -> str | None:
        """A fresh access token in place of ``used`` (another refresh may have made one
        already); None if refreshing failed (now or before, for these tokens)."""
        async with self.lock:
            row = await asyncio.to_thread(self._read)
            if row is None:
                return None
            if row.access_token and row.access_token != used and row.failed_at is None:
                return row.access_token
            if row.failed_at is not None:
                return None  # the admin must consent again: no loop
            own = client is None
            client = client or httpx.AsyncClient(timeout=15)
            try:
                r = await client.post(self.settings.zalo_oauth_base.rstrip("/") + "/v4/oa/access_token",
                                      headers={"secret_key": self.settings.zalo_app_secret},
                                      data={"refresh_token": row.refresh_token, "app_id": self.settings.zalo_app_id,
                                            "grant_type": "refresh_token"})
                body = r.json() if r.status_code == 200 else {}
            except (httpx.HTTPError, ValueError):
                log.warning("Zalo token refresh: no answer; will try again")
                return None  # the network: the refresh token was not used up, try later
            finally:
                if own:
                    await client.aclose()
            self.refreshes += 1
            access, refresh = body.get("access_token"), body.get("refresh_token")
            if not access or not refresh:
                why = "refresh refused: error %s %s; consent again: desk-app server zalo-consent" % (
                    body.get("error"), str(body.get("error_name") or body.get("message") or r.status_code))
                await asyncio.to_thread(self._fail, row.oa_id, why[:500])
                log.error("ALERT Zalo OA token refresh failed (%s): an admin must consent again: "
                          "run 'desk-app server zalo-consent'", why[:200])
                return None
            try:
                seconds = int(body.get("expires_in") or 90000)
            except (TypeError, ValueError):
                seconds = 90000
            await asyncio.to_thread(self._store, row.oa_id, access, refresh, seconds)  # persisted before use
            return access

    def _store(self, oa_id: str, access: str, refresh: str, seconds: int) -> None:
        now = vn_now()
        with self.db.session() as session:
            row = session.get(ZaloToken, oa_id)
            row.access_token, row.refresh_token = access, refresh
            row.expires_at = now + timedelta(seconds=seconds)
            row.updated_at, row.failed_at, row.failure = now, None, None
        self.cached = row   # committed: the new pair is used from here on

    def _fail(self, oa_id: str, why: str) -> None:
        with self.db.session() as session:
            row = session.get(ZaloToken, oa_id)
            row.failed_at, row.failure = vn_now(), why
        self.cached = row


def set_tokens(session, settings, access: str, refresh: str, expires_in: int | None, now: datetime) -> None:
    """The admin's new pair (after consenting again): replaces the stored one, clears the alert."""
    row = session.get(ZaloToken, settings.zalo_oa_id)
    if row is None:
        row = ZaloToken(oa_id=settings.zalo_oa_id, access_token="", refresh_token="", updated_at=now)
        session.add(row)
    row.access_token, row.refresh_token = access, refresh
    row.expires_at = now + timedelta(seconds=expires_in) if expires_in else None
    row.updated_at, row.failed_at, row.failure = now, None, None


def token_status(session, settings) -> dict:
    row = session.get(ZaloToken, settings.zalo_oa_id)
    if row is None:
        return {"configured": False}
    return {"configured": True, "expires_at": row.expires_at, "updated_at": row.updated_at,
            "failed_at": row.failed_at, "failure": row.failure}


class ZaloApi:
    def __init__(self, settings, tokens: Tokens):
        self.s, self.tokens = settings, tokens
        # one client, its connections kept alive from round to round; no more of them than
        # notices in flight (httpcore looks at every pooled connection on each request)
        most = max(1, min(32, settings.notify_concurrency))
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(15, connect=5),
                                        limits=httpx.Limits(max_connections=most, max_keepalive_connections=most))

    async def close(self) -> None:
        await self.client.aclose()

    async def _post(self, url: str, body: dict) -> Answer:
        token = await self.tokens.access()
        if token is None:
            return Answer(False, 1, "token_unavailable", transient=True)
        for attempt in (1, 2):
            try:
                r = await self.client.post(url, json=body, headers={"access_token": token})
            except httpx.HTTPError as e:
                return Answer(False, 1, type(e).__name__, transient=True)
            if r.status_code >= 500 or r.status_code == 429:
                return Answer(False, 1, "http_%d" % r.status_code, transient=True)
            try:
                data = r.json()
                code = int(data.get("error", 0))
            except (ValueError, TypeError, AttributeError):
                return Answer(False, 1, "http_%d_not_json" % r.status_code, transient=True)
            if code == 0 and r.status_code == 200:
                return Answer(True, 0, data=data.get("data") or {})
            if code in TOKEN_ERRORS and attempt == 1:
                token = await self.tokens.refresh(token, self.client)
                if token is None:
                    return Answer(False, code, "token_refresh_failed", transient=True)
                continue
            return Answer(False, code or r.status_code, str(data.get("message", ""))[:300],
                          transient=code in TOKEN_ERRORS or code in RATE_ERRORS or code in LATER_ERRORS)
        raise AssertionError("unreachable")

    async def send_cs(self, user_id: str, text: str) -> Answer:
        return await self._post(self.s.zalo_api_base.rstrip("/") + "/v3.0/oa/message/cs",
                                {"recipient": {"user_id": user_id}, "message": {"text": text[:2000]}})

    async def send_zns(self, phone: str, template_id: str, data: dict, tracking_id: str) -> Answer:
        body = {"phone": phone, "template_id": template_id, "template_data": data, "tracking_id": tracking_id[:48]}
        if self.s.zalo_zns_mode:
            body["mode"] = self.s.zalo_zns_mode
        return await self._post(self.s.zalo_zns_base.rstrip("/") + "/message/template", body)

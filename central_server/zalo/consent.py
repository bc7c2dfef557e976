"""Consenting again, without anyone copying tokens by hand.

The refresh token is single use; when a refresh fails (expired after three months unused,
revoked, or lost), the OA's admin must consent again on Zalo's page. ``desk-app server
zalo-consent`` prints that page's address (``/v4/oa/permission`` with ``app_id``,
``redirect_uri``, the PKCE ``code_challenge`` and a ``state``); Zalo then sends the admin's
browser to ``/zalo/oauth/callback?code=...&state=...``, where the server exchanges the code
(``/v4/oa/access_token``, ``grant_type=authorization_code``, ``code_verifier``, header
``secret_key``) for a new pair and stores it, clearing the alert. Without a reachable callback,
``zalo-consent --code CODE --state STATE`` does the same exchange from the command line.

Nothing is stored between the two steps: the ``state`` carries its time and a random part,
signed with the app secret, and the PKCE verifier is derived from the state with the app
secret too (``verifier = base64url(HMAC(app_secret, state))``, 43 characters), so the server
that receives the callback can rebuild it, and nobody without the app secret can forge a state
or learn a verifier. A state is good for ``STATE_MINUTES``; the code itself is single use at Zalo.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import secrets
import time
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ..settings import vn_now
from .api import set_tokens

log = logging.getLogger("central_server.zalo")

STATE_MINUTES = 15
COMMAND = "desk-app server zalo-consent"


class ConsentError(ValueError):
    """The consent did not go through (message in Vietnamese)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _mac(settings, what: str) -> bytes:
    return hmac.new(settings.zalo_app_secret.encode(), what.encode(), hashlib.sha256).digest()


def new_state(settings, now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_urlsafe(12)
    return "%s.%s.%s" % (stamp, nonce, _mac(settings, "state|%s|%s" % (stamp, nonce)).hex()[:32])


def verifier_of(settings, state: str) -> str:
    return _b64(_mac(settings, "verifier|" + state))


def challenge_of(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())


def check_state(settings, state: str, now: float | None = None) -> None:
    from desk_app.domain.i18n import tr
    parts = state.split(".") if isinstance(state, str) and len(state) <= 200 else []
    if len(parts) != 3 or not parts[0].isdigit():
        raise ConsentError(tr("Mã trạng thái (state) không hợp lệ."))
    expected = _mac(settings, "state|%s|%s" % (parts[0], parts[1])).hex()[:32]
    if not hmac.compare_digest(parts[2].encode("utf-8", "replace"), expected.encode()):
        raise ConsentError(tr("Mã trạng thái (state) không hợp lệ."))
    age = (now if now is not None else time.time()) - int(parts[0])
    if not 0 <= age <= STATE_MINUTES * 60:
        raise ConsentError(tr("Liên kết cấp quyền đã quá {n} phút; hãy chạy lại lệnh {command}.")
                           .format(n=STATE_MINUTES, command=COMMAND))


def permission_url(settings, state: str) -> str:
    """Zalo's consent page for the OA (the admin opens it while logged in as the OA's admin)."""
    query = {"app_id": settings.zalo_app_id, "redirect_uri": settings.zalo_redirect_uri,
             "code_challenge": challenge_of(verifier_of(settings, state)), "state": state}
    return settings.zalo_oauth_base.rstrip("/") + "/v4/oa/permission?" + urlencode(query)


def exchange(db, settings, code: str, state: str, client: httpx.Client | None = None) -> None:
    """Check ``state``, exchange the authorization ``code`` for a token pair and store it."""
    from desk_app.domain.i18n import tr
    check_state(settings, state)
    if not isinstance(code, str) or not 0 < len(code) <= 2000 or not code.isprintable():
        raise ConsentError(tr("Mã cấp quyền (code) không hợp lệ."))
    own = client is None
    client = client or httpx.Client(timeout=15, trust_env=False)
    try:
        r = client.post(settings.zalo_oauth_base.rstrip("/") + "/v4/oa/access_token",
                        headers={"secret_key": settings.zalo_app_secret},
                        data={"code": code, "app_id": settings.zalo_app_id, "grant_type": "authorization_code",
                              "code_verifier": verifier_of(settings, state)})
        body = r.json() if r.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        raise ConsentError(tr("Không kết nối được máy chủ xác thực của Zalo; hãy thử lại.")) from None
    finally:
        if own:
            client.close()
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not isinstance(access, str) or not isinstance(refresh, str) or not access or not refresh:
        why = str(body.get("error_name") or body.get("message") or body.get("error") or r.status_code)[:200]
        raise ConsentError(tr("Zalo không cấp khóa truy cập: {why}. Mã cấp quyền chỉ dùng một lần, trong 10 phút; "
                              "hãy chạy lại lệnh {command}.").format(why=why, command=COMMAND))
    try:
        seconds = int(body.get("expires_in") or 90000)
    except (TypeError, ValueError):
        seconds = 90000
    with db.session() as s:
        set_tokens(s, settings, access[:4000], refresh[:4000], max(0, min(seconds, 10_000_000)), vn_now())


# -- the callback -------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False)


def _page(title: str, text: str, status: int) -> HTMLResponse:
    return HTMLResponse("<!doctype html><html lang='vi'><meta charset='utf-8'><title>%s</title>"
                        "<body style='font-family:sans-serif;max-width:40em;margin:3em auto'><h1>%s</h1><p>%s</p>"
                        "</body></html>" % (html.escape(title), html.escape(title), html.escape(text)),
                        status_code=status, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


@router.get("/zalo/oauth/callback")
async def callback(request: Request):
    """Zalo sends the admin here after consent: the code is exchanged and the pair stored."""
    from desk_app.domain.i18n import tr
    settings, db = request.app.state.settings, request.app.state.db
    q = request.query_params
    code, state, oa_id = q.get("code", ""), q.get("state", ""), q.get("oa_id")
    if oa_id is not None and oa_id != settings.zalo_oa_id:
        return _page(tr("Chưa cấp quyền"), tr("Quyền được cấp cho một Official Account khác với OA đã cấu hình."), 400)
    try:
        await run_in_threadpool(exchange, db, settings, code, state)
    except ConsentError as e:
        return _page(tr("Chưa cấp quyền"), str(e), 400)
    log.warning("Zalo OA tokens renewed by the admin's consent")
    return _page(tr("Đã cấp quyền"), tr("Máy chủ đã nhận khóa truy cập mới của Official Account; các thông báo đang chờ "
                                        "sẽ được gửi tiếp. Có thể đóng trang này."), 200)

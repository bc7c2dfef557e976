"""Request size limits, enforced before a body is read into memory."""

from __future__ import annotations

import json

from desk_app.domain.i18n import tr

from .settings import Settings


class BodySizeLimit:
    """ASGI middleware: 413 with a JSON body for a request larger than its path's limit.

    A declared Content-Length over the limit is refused at once; a chunked body is counted
    as it streams and cut off when it passes the limit.
    """

    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings

    def limit_for(self, path: str) -> int:
        if path.startswith("/api/v1/attachments/"):
            return self.settings.max_chunk_bytes
        return self.settings.max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope.get("path", ""))
        declared = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return await _reply(send, 400, "bad_request", tr("Độ dài nội dung không hợp lệ."))
        if declared is not None and declared > limit:
            return await _too_large(send, limit)
        seen = 0
        started = refused = False

        async def counted_receive():
            nonlocal seen, started, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Answer now and tell the app the client went away: it stops reading.
                    refused = True
                    if not started:
                        started = True
                        await _too_large(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the app says after is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise


async def _too_large(send, limit: int) -> None:
    await _reply(send, 413, "too_large",
                 tr("Nội dung gửi lên quá lớn (tối đa {mb} MB mỗi yêu cầu).").format(mb=round(limit / 1048576, 1)),
                 limit_bytes=limit)


async def _reply(send, status: int, code: str, message: str, **extra) -> None:
    payload = json.dumps({"error": code, "message": message, **extra}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})

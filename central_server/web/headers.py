"""The headers every public page carries, set in one place for every answer (pages, redirects,
refusals, the feed, the stylesheet)."""

from __future__ import annotations

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    b"content-security-policy": CSP.encode(),
    b"referrer-policy": b"no-referrer",          # the key is in the page's address
    b"x-content-type-options": b"nosniff",
    b"x-robots-tag": b"noindex",
    b"x-frame-options": b"DENY",                  # for browsers that ignore frame-ancestors
}
# the JSON API and its interactive docs (which load their own assets) keep their headers
SKIP = ("/api/", "/docs", "/redoc", "/openapi.json")


class SecurityHeaders:
    """ASGI middleware: the headers above on every answer outside the API, and
    ``Cache-Control: no-store`` unless the route chose otherwise (the stylesheet)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path", "").startswith(SKIP):
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in HEADERS]
                headers += list(HEADERS.items())
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)
        await self.app(scope, receive, with_headers)

"""The citizens' pages: the dossier page at the receipt's QR link, rating and messages, the
centres' announcements (also as an Atom feed), and the procedure catalogue.

Plain HTML rendered here (Jinja2, autoescaped), one CSS file served by this server, nothing
from another origin, no script: the pages work with JavaScript off, inside Zalo's browser and
on a 360-px phone. Vietnamese by default, English by a switch (``?lang=en``, kept in a cookie).
"""

from __future__ import annotations

from fastapi import FastAPI

from ..ratelimit import RateLimiter
from .headers import SecurityHeaders
from .security import load_secret


def install(app: FastAPI) -> None:
    """Register the pages on ``app`` (after ``app.state.settings`` and ``app.state.limiter``)."""
    from . import routes
    settings = app.state.settings
    app.state.web_secret = load_secret(settings)
    app.state.web_post_limiter = RateLimiter(settings.web_post_rate_per_second, settings.web_post_burst)
    app.state.upload_limiter = RateLimiter(settings.web_upload_rate_per_second, settings.web_upload_burst)
    app.state.online_limiter = RateLimiter(settings.web_online_rate_per_second, settings.web_online_burst)
    app.include_router(routes.router)
    from . import online
    app.include_router(online.router)
    app.add_middleware(SecurityHeaders)

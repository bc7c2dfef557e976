"""The citizens' pages: the dossier page at the receipt's QR link, rating and messages, the
centres' announcements (also as an Atom feed), and the procedure catalogue.

Plain HTML rendered here (Jinja2, autoescaped), one CSS file served by this server, nothing
from another origin, no script: the pages work with JavaScript off, inside Zalo's browser and
on a 360-px phone. Vietnamese by default, English by a switch (``?lang=en``, kept in a cookie).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from starlette.routing import Route

from ..ratelimit import RateLimiter
from . import pagecache
from .headers import SecurityHeaders
from .pagecache import PageCache
from .security import load_secret


def install(app: FastAPI) -> None:
    """Register the pages on ``app`` (after ``app.state.settings`` and ``app.state.limiter``)."""
    from . import routes
    settings = app.state.settings
    app.state.web_secret = load_secret(settings)
    app.state.web_post_limiter = RateLimiter(settings.web_post_rate_per_second, settings.web_post_burst)
    app.state.upload_limiter = RateLimiter(settings.web_upload_rate_per_second, settings.web_upload_burst)
    app.state.online_limiter = RateLimiter(settings.web_online_rate_per_second, settings.web_online_burst)
    app.state.page_cache = PageCache(settings.web_page_cache, settings.web_page_cache * 16 * 1024)
    from ..models import DossierState
    from ..zalo.pages import box_columns
    zalo_columns = box_columns(DossierState.__table__.c.code) if settings.zalo_enabled else ()
    app.state.page_statement = pagecache.statement(app.state.db.dialect, zalo_columns)
    app.state.page_probe = None   # on PostgreSQL, the probe on the event loop (web.probe)
    if app.state.db.dialect == "postgresql" and settings.web_page_probe_async:
        from .probe import AsyncProbe
        app.state.page_probe = page_probe = AsyncProbe(app.state.db.read_engine, app.state.page_statement,
                                                       settings.pool_size)
        app.router.on_shutdown.append(page_probe.close)
    app.state.page_parts = pagecache.Parts(512 if settings.web_page_cache else 0)   # 0: nothing kept
    app.state.page_readers = readers = ThreadPoolExecutor(settings.pool_size, thread_name_prefix="pages")
    app.router.on_shutdown.append(lambda: readers.shutdown(wait=False, cancel_futures=True))
    app.include_router(routes.router)
    # The dossier page, the receipt's QR link and the busiest page, is the app's first route: a
    # plain Starlette route, matched before the API's routers are walked one by one (each
    # costs a match on every request that passes it). Its path overlaps none of theirs.
    app.router.routes.insert(0, Route("/h/{code}", routes.dossier, methods=["GET"], include_in_schema=False))
    from . import online
    app.include_router(online.router)
    app.add_middleware(SecurityHeaders)

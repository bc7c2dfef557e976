"""Installing the notices on the app: the desks' and the admin's routes, the Zalo webhook and
the dossier page's Zalo routes when the OA is configured, and the worker in the lifespan."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import configure


def install(app: FastAPI) -> None:
    settings = app.state.settings
    config = configure(settings)
    from ..routers import notices_overview
    from . import api
    app.include_router(notices_overview.router)     # before /notices?dossier=: its own path
    app.include_router(api.router)
    if settings.zalo_enabled:
        from ..zalo import consent, pages, webhook
        app.include_router(webhook.router)
        app.include_router(pages.router)
        app.include_router(consent.router)
    if not config.channels or not settings.notify_worker:
        return
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a):
        from .worker import NotifyWorker
        worker = NotifyWorker(a.state.db, settings)
        a.state.notify_worker = worker
        worker.start()
        try:
            async with inner(a) as state:
                yield state
        finally:
            await worker.stop()
    app.router.lifespan_context = lifespan

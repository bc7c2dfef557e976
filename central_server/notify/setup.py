"""Installing the notices on the app: the desks' and the admin's routes, the Zalo webhook and
the dossier page's Zalo routes when the OA is configured, and the wake of the worker.

The app sends nothing itself: the webhook's calls and the notices are worked on by the worker
process (``worker.py``: ``desk-app server`` starts one beside its web processes, or
``desk-app server worker`` runs it alone); the app wakes it when it commits rows for it."""

from __future__ import annotations

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
    if config.channels:
        from .wake import install_sender
        install_sender(settings)

"""The FastAPI application: ``create_app(settings)`` builds it, ``factory()`` from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from . import errors
from .blobs import BlobStore
from .db import ServerDatabase
from .limits import BodySizeLimit
from .ratelimit import RateLimiter
from .safejson import StrictJsonBodies
from .routers import attachments, code_blocks, enrolment, events, public
from .routers import centre  # the centre's public data, sent by its desks
from .settings import Settings

DESCRIPTION = """Máy chủ trung tâm của các quầy Một cửa trong một tỉnh.

Desks enrol with a one-time code and then authenticate with their own bearer token. They
push their events (each accepted once, by id), pull the events of the dossiers that concern
their units (cursor: `server_seq`), lease blocks of dossier numbers, and move attachments by
SHA-256. Citizens' pages read a dossier's status by code and key. Errors are JSON:
`{"error": code, "message": Vietnamese text}`.
"""


def create_app(settings: Settings | None = None, migrate: bool = True) -> FastAPI:
    settings = settings or Settings.from_env()
    db = ServerDatabase(settings)
    if migrate:
        db.upgrade()
    settings.blob_dir.mkdir(parents=True, exist_ok=True)
    # No OpenTelemetry here: FastAPI's own telemetry asked the tracing setup on every request
    # (~40 us, 5-8 % of a kept citizen page)
    app = FastAPI(title="Máy chủ trung tâm Bộ phận Một cửa", version="1.0", description=DESCRIPTION,
                  telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False})
    app.state.settings = settings
    app.state.db = db
    app.state.blobs = BlobStore(settings.blob_dir, settings.part_max_age_hours * 3600)
    app.state.limiter = RateLimiter(settings.public_rate_per_second, settings.public_burst)
    app.state.enrol_limiter = RateLimiter(settings.enrol_rate_per_second, settings.enrol_burst)
    errors.install(app)
    for module in (enrolment, events, code_blocks, attachments, public):
        app.include_router(module.router)
    app.include_router(centre.router)
    from . import web  # the citizens' pages (HTML): /h/{code}, /, /thu-tuc, /thong-bao.atom
    web.install(app)
    from .notify import setup as notices  # notices to citizens (Zalo OA, e-mail): routes, webhook, worker
    notices.install(app)
    app.add_middleware(StrictJsonBodies)                 # innermost of the three: the body is bounded first
    app.add_middleware(BodySizeLimit, settings=settings)
    app.add_middleware(errors.ErrorShield)               # outermost: nothing unexpected leaks out
    app.state.blobs.clean_abandoned(settings.part_max_age_hours * 3600)
    return app


def factory() -> FastAPI:
    """For ``uvicorn --factory`` and server processes: settings from ``DESK_SERVER_*``; the
    schema was migrated by the parent process."""
    import os
    app = create_app(Settings.from_env(), migrate=os.environ.get("DESK_SERVER_MIGRATE", "1") != "0")
    settle_heap()
    return app


GC_YOUNG = 20_000  # allocations between two collections of the youngest objects (Python's default: 700)


def settle_heap() -> None:
    """A server process's garbage collector, set for serving: what start-up built (modules, the
    app, its routes and schemas: several hundred thousand objects) is moved out of the
    collector's sight (``gc.freeze``), and young objects are looked at after 20,000 allocations
    instead of 700. A push of 500 events allocates some 100,000 objects that live until its
    answer, and with the defaults the collector walked them (and the older generations) again and
    again: 10-15 % of a push's CPU. Cyclic garbage (rare here: requests make few cycles) waits a
    little longer to be freed."""
    import gc
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, 10, 10)   # the older generations at Python's own pace, in young collections

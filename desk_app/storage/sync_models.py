"""The desk's tables for sync with the central server (migration 0002).

Kept apart from ``models.py``: they describe the desk's link to the server, not dossiers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, EventRow, OutboxRow


class SyncConfig(Base):
    """The one row saying which server this desk is enrolled with, and how far it has pulled."""

    __tablename__ = "sync_config"
    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    server_url: Mapped[str] = mapped_column(String(300))
    token: Mapped[str] = mapped_column(String(200))
    agency_code: Mapped[str] = mapped_column(String(20))
    units: Mapped[list[Any]] = mapped_column(JSON)
    scope: Mapped[str] = mapped_column(String(10))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)
    pull_cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    reachable: Mapped[bool | None] = mapped_column(Boolean)


class SyncConflict(Base):
    """An event the server did not accept: this desk's own (conflict or refused), or another
    desk's conflict on a dossier this desk is involved in. Shown until acknowledged."""

    __tablename__ = "sync_conflicts"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dossier_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100))
    desk: Mapped[str] = mapped_column(String(64))
    desk_time: Mapped[datetime] = mapped_column(DateTime)
    unit: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(10))  # conflict | refused
    own: Mapped[bool] = mapped_column(Boolean)
    server_seq: Mapped[int | None] = mapped_column(BigInteger)
    detected_at: Mapped[datetime] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)


class UnseenDossier(Base):
    """A dossier another desk created or moved, not yet opened here."""

    __tablename__ = "unseen_dossiers"
    dossier_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    since: Mapped[datetime] = mapped_column(DateTime)
    last_kind: Mapped[str] = mapped_column(String(40))
    from_desk: Mapped[str] = mapped_column(String(64))


class AttachmentUpload(Base):
    """An attachment the server holds whole (so its events may go)."""

    __tablename__ = "attachment_uploads"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)


class AttachmentDownload(Base):
    """An attachment another desk added, to fetch; pending until ``done_at``."""

    __tablename__ = "attachment_downloads"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    dossier_code: Mapped[str] = mapped_column(String(40), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(DateTime)
    queued_at: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


# Indexes on the core tables that sync needs (created by migration 0002): counting unsent
# outbox rows, and reading a dossier's history in the server's order.
Index("ix_outbox_unsent", OutboxRow.__table__.c.sent_at)
Index("ix_events_server_seq", EventRow.__table__.c.server_seq)

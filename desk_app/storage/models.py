"""SQLAlchemy 2 models of the desk's database.

Events are the truth; ``dossiers`` is their projection (status, appointment, search
text), kept in the same transaction as each appended event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Agency(Base):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    parent_name: Mapped[str] = mapped_column(String(300), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    public_base_url: Mapped[str] = mapped_column(String(300))


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="department")  # counter | department


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ProcedureRow(Base):
    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("code", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(50))
    search_text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class Holiday(Base):
    __tablename__ = "holidays"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # off | work
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), default="user")  # package | user


class CodeBlock(Base):
    """A block of dossier numbers for one day leased to one desk."""

    __tablename__ = "code_blocks"
    __table_args__ = (UniqueConstraint("agency_code", "day", "first"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    desk_id: Mapped[str] = mapped_column(String(64))
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    next_number: Mapped[int] = mapped_column(Integer)


class CodeBlockRegistry(Base):
    """The lease authority's counter when no central server leases blocks (one site)."""

    __tablename__ = "code_block_registry"
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_leased: Mapped[int] = mapped_column(Integer, default=0)


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        # The supervisor's queues filter on these.
        Index("ix_dossiers_queue", "status", "holder_unit_id", "due_at"),
        Index("ix_dossiers_holder_user", "holder_user", "status"),
        Index("ix_dossiers_stage", "stage", "holder_unit_id"),
        # Open dossiers only, in due order, carrying every column the queues filter on: the
        # supervisor's tiles and lists read this small index, never the wide table rows.
        Index("ix_dossiers_open", "due_at", "status", "stage", "holder_unit_id", "holder_user", "hop_due_at",
              "holder_since", "received_at", "paused_since", "finished_at", sqlite_where=text("finished_at IS NULL")),
        # The same for one unit's queues (a supervisor's filter, a department's own queue).
        Index("ix_dossiers_open_unit", "holder_unit_id", "due_at", "status", "stage", "holder_user", "hop_due_at",
              "holder_since", "received_at", "paused_since", "finished_at", sqlite_where=text("finished_at IS NULL")),
        # What a period's statistics read, so a year of them is one pass over an index.
        Index("ix_dossiers_stats", "received_at", "finished_at", "due_at", "supplement_count", "processing_seconds",
              "handling_unit_id", "clerk_id", "procedure_id", "outcome", "stage", "paused_since"),
        # The events' statistics find their dossier's unit, clerk and procedure here, not in the row.
        Index("ix_dossiers_code_keys", "code", "handling_unit_id", "clerk_id", "procedure_id"),
        # A period's statistics read from these rows what ``stats_days`` cannot say: the dossiers
        # finished after the period's end, and a finish dated before its receipt (another desk's clock).
        # Finished dossiers only: on every row, SQLite took it for the queues' ``finished_at IS NULL``.
        Index("ix_dossiers_finished", "finished_at", sqlite_where=text("finished_at IS NOT NULL")),
        Index("ix_dossiers_finished_early", "finished_at",
              sqlite_where=text("substr(finished_at, 1, 10) < substr(received_at, 1, 10)")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    applicant_type: Mapped[str] = mapped_column(String(20))
    owner: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitter: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    owner_name: Mapped[str] = mapped_column(String(300))
    owner_id_number: Mapped[str] = mapped_column(String(30), index=True)
    owner_phone: Mapped[str] = mapped_column(String(20), index=True)
    components: Mapped[list[Any]] = mapped_column(JSON)
    sets: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    collect_by_post: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[int] = mapped_column(Integer, index=True)
    capability_key: Mapped[str] = mapped_column(String(64))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    desk_id: Mapped[str] = mapped_column(String(64))
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    register_book: Mapped[str] = mapped_column(String(20))
    register_number: Mapped[int] = mapped_column(Integer)
    receipt_path: Mapped[str | None] = mapped_column(String(500))
    search_text: Mapped[str] = mapped_column(Text)
    # The three dates (``domain.lifecycle``): ``due_at`` is the legal appointment, moved only by
    # pauses, that NgayHenTra, the register and the statistics use; ``appointment_at`` what the
    # citizen is told now (an apology's new date); ``finished_at`` the end.
    appointment_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_due_at: Mapped[datetime | None] = mapped_column(DateTime)   # printed on the receipt
    stage: Mapped[str] = mapped_column(String(20), default="received")
    holder_user: Mapped[str | None] = mapped_column(String(100))
    holder_since: Mapped[datetime | None] = mapped_column(DateTime)
    hop_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_since: Mapped[datetime | None] = mapped_column(DateTime)
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[str | None] = mapped_column(String(20))           # Rating value, once per dossier
    unanswered_messages: Mapped[int] = mapped_column(Integer, default=0)  # the citizen's, since the last reply
    handling_unit_id: Mapped[int | None] = mapped_column(Integer)  # the last department it went to
    counter_unit_id: Mapped[int | None] = mapped_column(Integer)   # the counter that received it
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)  # every pause, working time
    resume_stage: Mapped[str | None] = mapped_column(String(20))   # where a paused dossier goes back to
    payment_amount: Mapped[int] = mapped_column(Integer, default=0)
    apology_reason: Mapped[str] = mapped_column(Text, default="")
    # the verdict a finished dossier keeps (``domain.lifecycle.Verdict``): the statistics count it
    outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    # working time from receipt to finish, pauses excluded: set once, when the dossier finishes
    processing_seconds: Mapped[int | None] = mapped_column(Integer)
    procedure: Mapped[ProcedureRow] = relationship(lazy="joined")
    clerk: Mapped[User] = relationship(lazy="joined")


class StatsDay(Base):
    """What the dossiers and their rating and supplement events add to a period's statistics, per
    day and per key: ``dim`` ``u`` the handling unit (0: none), ``p`` the procedure version, ``c`` the
    receiving clerk. Kept by triggers on ``dossiers`` and ``events`` (migration 0007), whoever writes
    them; ``services.statistics`` sums a period's days and reads the rest from the rows."""

    __tablename__ = "stats_days"
    dim: Mapped[str] = mapped_column(String(1), primary_key=True)
    key: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)   # YYYY-MM-DD
    received: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    finished: Mapped[int] = mapped_column(Integer, server_default=text("0"))   # any finish, timed or not
    early: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    on_time: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    late: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    seconds: Mapped[int] = mapped_column(Integer, server_default=text("0"))    # working seconds of the timed
    supplements: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    very_satisfied: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    satisfied: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    unsatisfied: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class ProcedureWorkflow(Base):
    """The units a procedure passes through, in order, and the working hours each may take."""

    __tablename__ = "procedure_workflows"
    __table_args__ = (UniqueConstraint("procedure_code", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(60))
    step: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    hours: Mapped[float] = mapped_column(Float)


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_dossier", "dossier_code", "seq"),
                      Index("ix_events_kind_time", "kind", "desk_time"))
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100))
    desk: Mapped[str] = mapped_column(String(64))
    desk_time: Mapped[datetime] = mapped_column(DateTime)
    server_seq: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str | None] = mapped_column(String(50))  # the acting unit's code
    # Each desk's events form a hash chain, so an edited or deleted row is detected.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxRow(Base):
    """Events waiting to be sent to the central server, written with the event."""

    __tablename__ = "outbox"
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    stored_path: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="scan")  # scan | receipt
    added_at: Mapped[datetime] = mapped_column(DateTime)


class Announcement(Base):
    """A notice of the centre (the admin writes it): shown on the public home page, the dossier
    pages of the fields or procedures it concerns, the kiosk's idle screen, and the Atom feed.
    Synced to the central server; ``synced_at`` None means the server has not got this version."""

    __tablename__ = "announcements"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(DateTime)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    procedures: Mapped[list[Any]] = mapped_column(JSON, default=list)   # procedure codes ([] = all)
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)       # field names ([] = all)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime)


class GuidanceGiven(Base):
    """The register of guidance given at the counter: a Mẫu 02 (what to complete) or a Mẫu 03 (a
    refusal) handed to a citizen whose papers did not become a received dossier. Each row is one
    numbered slip, kept as PDF; there is no dossier, so no event: this row is the record."""

    __tablename__ = "guidance_given"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))            # domain.forms.FormKind value
    number: Mapped[str] = mapped_column(String(40), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    clerk: Mapped[str] = mapped_column(String(100))          # username
    desk_id: Mapped[str] = mapped_column(String(64))
    procedure_code: Mapped[str] = mapped_column(String(60))
    procedure_name: Mapped[str] = mapped_column(String(500))
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON)  # owner (and submitter) as typed
    items: Mapped[list[Any]] = mapped_column(JSON)           # the papers to complete, or the reasons
    reason: Mapped[str] = mapped_column(Text, default="")
    file: Mapped[str] = mapped_column(String(300))

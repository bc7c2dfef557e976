"""The server's own tables: desks and their enrolment, the province's event log, the
dossiers' current state (a projection of that log), code-block leases and attachments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, Index, Integer, String, Text,
                        UniqueConstraint, literal_column, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# INTEGER PRIMARY KEY is SQLite's rowid; BIGINT everywhere else.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Counter(Base):
    """Named counters; the row ``server_seq`` is locked by every push (see ``push.py``)."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(SeqType, default=0)


class Desk(Base):
    __tablename__ = "desks"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)     # the desk's own id
    name: Mapped[str] = mapped_column(String(200))
    agency_code: Mapped[str] = mapped_column(String(20), index=True)
    units: Mapped[list[Any]] = mapped_column(JSON)                    # unit codes; the first is its own
    scope: Mapped[str] = mapped_column(String(10), default="units")   # units | agency: what it pulls
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the bearer token
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_hash: Mapped[str | None] = mapped_column(String(64))        # end of its hash chain as received


class EnrolmentCode(Base):
    """A one-time code an admin hands to whoever sets up a desk; stored hashed."""

    __tablename__ = "enrolment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    desk_name: Mapped[str] = mapped_column(String(200))
    agency_code: Mapped[str] = mapped_column(String(20))
    units: Mapped[list[Any]] = mapped_column(JSON)
    scope: Mapped[str] = mapped_column(String(10), default="units")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    used_by: Mapped[str | None] = mapped_column(String(64))
    # Set by the admin to re-admit an existing desk: only this code may re-enrol that desk id
    # (a plain code enrols a new desk only, so it cannot take an enrolled desk over).
    readmit_desk_id: Mapped[str | None] = mapped_column(String(64))


class ServerEvent(Base):
    """Every event the server was sent, once: accepted ones are the province's history;
    the others (``accepted`` false) are conflicts, kept with the reason."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_dossier_seq", "dossier_code", "server_seq"),
                      Index("ix_events_agency_seq", "agency_code", "server_seq"))
    server_seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_code: Mapped[str] = mapped_column(String(40))
    agency_code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100))
    desk: Mapped[str] = mapped_column(String(64), index=True)
    desk_time: Mapped[datetime] = mapped_column(DateTime)
    unit: Mapped[str | None] = mapped_column(String(50))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    chain_ok: Mapped[bool] = mapped_column(Boolean, default=True)


class DossierState(Base):
    """A dossier as its accepted events leave it: ``desk_app.domain.lifecycle``'s state, one
    column per field, folded by the same reducer as the desks' rows."""

    __tablename__ = "dossiers"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[int] = mapped_column(Integer)
    key_sha256: Mapped[str] = mapped_column(String(64), default="")
    procedure_code: Mapped[str] = mapped_column(String(60), default="")
    procedure_name: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    holder_unit: Mapped[str | None] = mapped_column(String(50))
    origin_desk: Mapped[str] = mapped_column(String(64))
    last_seq: Mapped[int] = mapped_column(SeqType)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # the rest of the reducer's state (``lifecycle.DossierState``)
    stage: Mapped[str] = mapped_column(String(20), default="received")
    appointment_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    counter_unit: Mapped[str | None] = mapped_column(String(50))
    holder_user: Mapped[str | None] = mapped_column(String(100))
    holder_since: Mapped[datetime | None] = mapped_column(DateTime)
    receiver: Mapped[str | None] = mapped_column(String(100))   # the receiving clerk, of origin_desk
    handling_unit: Mapped[str | None] = mapped_column(String(50))
    hop_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_since: Mapped[datetime | None] = mapped_column(DateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    resume_stage: Mapped[str | None] = mapped_column(String(20))
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    payment_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    processing_seconds: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(20))
    apology_reason: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[str | None] = mapped_column(String(20))
    unanswered_messages: Mapped[int] = mapped_column(Integer, default=0)


class DossierUnit(Base):
    """A unit is concerned by a dossier from ``since_seq`` on: it received, holds or acted on it."""

    __tablename__ = "dossier_units"
    __table_args__ = (Index("ix_dossier_units_unit", "unit", "since_seq"),)
    dossier_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    unit: Mapped[str] = mapped_column(String(50), primary_key=True)
    since_seq: Mapped[int] = mapped_column(SeqType)


class CodeCounter(Base):
    __tablename__ = "code_counters"
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_leased: Mapped[int] = mapped_column(Integer, default=0)


class CodeLease(Base):
    """A block of dossier numbers for one day, leased to one desk."""

    __tablename__ = "code_leases"
    __table_args__ = (UniqueConstraint("agency_code", "day", "first"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), unique=True)  # a retried request gets the same block
    agency_code: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    desk_id: Mapped[str] = mapped_column(String(64), index=True)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    leased_at: Mapped[datetime] = mapped_column(DateTime)


class SeriesCounter(Base):
    """The last number leased of a form's number series (Mẫu 02/03/04) for an agency and a year."""

    __tablename__ = "series_counters"
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    series: Mapped[str] = mapped_column(String(12), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_leased: Mapped[int] = mapped_column(Integer, default=0)


class SeriesLease(Base):
    """A block of a form series' numbers for one year, leased to one desk (like ``CodeLease``)."""

    __tablename__ = "series_leases"
    __table_args__ = (UniqueConstraint("agency_code", "series", "year", "first"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    agency_code: Mapped[str] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)
    desk_id: Mapped[str] = mapped_column(String(64), index=True)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    leased_at: Mapped[datetime] = mapped_column(DateTime)


class Blob(Base):
    """An attachment that arrived whole and matched its SHA-256 (the file is the truth while
    an upload is under way: its ``.part`` file's length is the offset to resume from)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(DateTime)


class Announcement(Base):
    """A centre's notice, as its desks sent it (upserted by id, the newest ``updated_at`` wins,
    an equal one too: a desk stamps to the second, two edits in one second share it).

    ``revision`` is the server's own: 0 at the insert, one more at every UPDATE of the row by
    anyone through SQLAlchemy (``onupdate``), whatever the desk's ``updated_at`` says. What
    keeps a rendered page (``web.pagecache``) versions an announcement by it."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_agency", "agency_code", "valid_from"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(DateTime)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    procedures: Mapped[list[Any]] = mapped_column(JSON)
    fields: Mapped[list[Any]] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    desk: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"),
                                          onupdate=literal_column("revision + 1"))


class CentreProfile(Base):
    """What the public home page says of a centre: its name, address, phone and hours."""

    __tablename__ = "centre_profiles"
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[str] = mapped_column(Text, default="")
    counter_location: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    counter_unit: Mapped[str | None] = mapped_column(String(50))   # the counter desk's unit: online submissions go there


class PublicProcedure(Base):
    """A procedure of a centre's catalogue as the public reads it (the desks' catalogue JSON,
    ``desk_app.domain.procedures.procedure_to_dict``), searchable without diacritics."""

    __tablename__ = "public_procedures"
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(200), default="")
    search_text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


# -- citizen notices: Zalo OA, e-mail (central_server/zalo, central_server/notify) ----------

class ZaloLinkCode(Base):
    """A one-time code the dossier page shows; the citizen sends it to the OA (stored hashed)."""

    __tablename__ = "zalo_link_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    dossier_code: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    used_by: Mapped[str | None] = mapped_column(String(64))


class ZaloLink(Base):
    """A Zalo user told of a dossier's changes, from ``linked_at`` until unlinked."""

    __tablename__ = "zalo_links"
    __table_args__ = (Index("ix_zalo_links_user", "user_id", "unlinked_at"),
                      Index("ix_zalo_links_dossier", "dossier_code", "unlinked_at"))
    id: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    dossier_code: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime] = mapped_column(DateTime)
    unlinked_at: Mapped[datetime | None] = mapped_column(DateTime)
    unlinked_by: Mapped[str | None] = mapped_column(String(20))     # citizen | unfollow


class ZaloUser(Base):
    """What the OA knows of a Zalo user: following or not, the last time they wrote or
    followed (the customer-service window runs from it), and when they were last sent the help
    text (an unlinked user gets it at most once an hour)."""

    __tablename__ = "zalo_users"
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    follower: Mapped[bool] = mapped_column(Boolean, default=True)
    last_interaction_at: Mapped[datetime | None] = mapped_column(DateTime)
    help_sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class ZaloGuesses(Base):
    """A Zalo user's wrong link codes: counted within a window, slowed, then blocked a while."""

    __tablename__ = "zalo_guesses"
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    wrong: Mapped[int] = mapped_column(Integer, default=0)      # within the window that began at ``since``
    since: Mapped[datetime] = mapped_column(DateTime)
    last_wrong_at: Mapped[datetime] = mapped_column(DateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime)


class ZaloInbox(Base):
    """A webhook call, kept once by its ``msg_id`` (or its body's SHA-256), worked on later."""

    __tablename__ = "zalo_inbox"
    __table_args__ = (Index("ix_zalo_inbox_pending", "processed_at", "received_at"),)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_name: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)


class ZaloToken(Base):
    """The OA's access and refresh tokens (the refresh token is single use and rotates)."""

    __tablename__ = "zalo_tokens"
    oa_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)     # a refresh failed: the admin must re-consent
    failure: Mapped[str | None] = mapped_column(Text)


class NotifyOutbox(Base):
    """One notice to send on one channel, written in the transaction of the event that causes
    it; unique by (event, channel), so it is queued once and sent once."""

    __tablename__ = "notify_outbox"
    __table_args__ = (UniqueConstraint("event_id", "channel"),
                      Index("ix_notify_outbox_status", "status", "id"),
                      Index("ix_notify_outbox_dossier", "dossier_code", "id"))
    id: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))                 # zalo | email | (sms)
    dossier_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))                    # the event's kind, or link_confirmed, help
    status: Mapped[str] = mapped_column(String(20))                  # pending | sent | failed | skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    via: Mapped[str | None] = mapped_column(String(20))              # cs | zns | email
    recipient: Mapped[str | None] = mapped_column(String(200))
    provider_id: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)        # what the notice needs beyond its event


class NotifyPreference(Base):
    """A dossier's choice not to be notified (the citizen asked at the counter)."""

    __tablename__ = "notify_preferences"
    dossier_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    notify: Mapped[bool] = mapped_column(Boolean)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime)


class WorkerLease(Base):
    """Who runs a background job now (one per deployment, whatever the number of processes)."""

    __tablename__ = "worker_leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


# -- online submissions (central_server/online) -----------------------------------------------

class OnlineDraft(Base):
    """A citizen's e-form, kept on the server under its own capability link (stored hashed) so
    it survives a lost connection or a closed tab; ``dossier_code`` once submitted."""

    __tablename__ = "online_drafts"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20))
    procedure_code: Mapped[str] = mapped_column(String(60))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)             # what the citizen typed
    files: Mapped[list[Any]] = mapped_column(JSON)                   # [{component, sha256, pages, name}]
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    dossier_code: Mapped[str | None] = mapped_column(String(40))
    dossier_key: Mapped[str | None] = mapped_column(String(64))     # the tracking link's key, for this link's holder only


class OnlineFileRef(Base):
    """Which dossier a citizen's clean PDF belongs to: the desks concerned with it may fetch it."""

    __tablename__ = "online_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    dossier_code: Mapped[str] = mapped_column(String(40), primary_key=True)

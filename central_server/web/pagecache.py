"""The dossier page's rendered HTML, kept per process and served again only while nothing it
shows has changed.

An entry is found by what the request asks (the dossier, the address with its query, the
language) and is used only if its *stamp* equals the stamp read now, by the same query that
finds the dossier by its code and key (``statement``): the dossier's last event (``last_seq``:
every accepted event, a desk's or the citizen's own, moves it), the centre's profile and the
dossier's catalogue entries (their ``updated_at``, set by every write), the agency's
announcements still in force or to come (each one's id and ``revision``, the server's own count
of the row's writes: a desk may send new text under the same ``updated_at``) and the next one's
start, the verdict at this moment (it moves with the clock), and the Zalo box as it reads now.
So a page is never another dossier's, nor older than the last committed change, on any worker.
Bounded by entries and bytes; least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Hashable

from sqlalchemy import String, bindparam, cast, func, literal, or_, select

from ..models import Announcement, CentreProfile, DossierState, PublicProcedure
from .content import NATIONAL_CODE_LENGTH

MAX_PAGE_BYTES = 256 * 1024        # a page larger than this is not kept


class PageCache:
    def __init__(self, entries: int, max_bytes: int):
        self.entries, self.max_bytes = max(0, entries), max_bytes
        self._pages: OrderedDict[Hashable, tuple[Hashable, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()   # the pages are served from the threadpool
        self.hits = self.misses = 0

    def get(self, key: Hashable, stamp: Hashable) -> bytes | None:
        with self._lock:
            kept = self._pages.get(key)
            if kept is None or kept[0] != stamp:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return kept[1]

    def put(self, key: Hashable, stamp: Hashable, body: bytes) -> None:
        if not self.entries or len(body) > MAX_PAGE_BYTES:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= _size(key, old[1])
            self._pages[key] = (stamp, body)
            self._bytes += _size(key, body)
            while len(self._pages) > self.entries or self._bytes > self.max_bytes:
                gone, (_stamp, page) = self._pages.popitem(last=False)
                self._bytes -= _size(gone, page)

    def __len__(self) -> int:
        return len(self._pages)


class Parts:
    """What pages of one centre share (its profile, a catalogue entry, its announcements in
    force), kept by this process under the versions ``statement`` reads (``content.dossier_page``
    names them): a new version is a new key, read once. Least recently used first out."""

    def __init__(self, entries: int):
        self.entries = entries
        self._parts: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build):
        with self._lock:
            if key in self._parts:
                self._parts.move_to_end(key)
                return self._parts[key]
        value = build()          # outside the lock: it reads the database
        with self._lock:
            self._parts[key] = value
            while len(self._parts) > self.entries:
                self._parts.popitem(last=False)
        return value


def _size(key, body: bytes) -> int:
    """An entry's bytes: the page and its key's texts (the address's query string, which the
    citizen writes, is part of the key)."""
    parts = key if isinstance(key, tuple) else (key,)
    return len(body) + sum(len(k) for k in parts if isinstance(k, (str, bytes)))


def national_code_sql(code):
    """In SQL, the catalogue code whose version stands for ``content.national_code(code)``: the
    same first NATIONAL_CODE_LENGTH characters (of any code; a national one, or one of no
    catalogue's shape, names an entry the page never reads, so its version is merely extra)."""
    return func.substr(code, 1, NATIONAL_CODE_LENGTH)


def statement(dialect: str, extra: tuple = ()):
    """The dossier's row by code and key's hash (``public.find``'s probe) and, beside it, what
    else the page shows, as versions, and the ``extra`` columns (the Zalo box's: ``zalo.pages``):
    read in one round trip, by primary keys and the announcements' agency index."""
    d = DossierState.__table__
    p, c, a = PublicProcedure.__table__, CentreProfile.__table__, Announcement.__table__
    profile_at = select(c.c.updated_at).where(c.c.agency_code == d.c.agency_code).scalar_subquery()
    # the catalogue entries ``content.procedure_candidates`` may read: the dossier's code, and
    # the national code it extends (``content.national_code``: its first NATIONAL_CODE_LENGTH
    # characters; read here for every code, a stamp wider than needed costs a miss, not a stale page)
    entry_at = select(p.c.updated_at).where(p.c.agency_code == d.c.agency_code,
                                            p.c.code == d.c.procedure_code).scalar_subquery()
    base_at = select(p.c.updated_at).where(p.c.agency_code == d.c.agency_code,
                                           p.c.code == national_code_sql(d.c.procedure_code)).scalar_subquery()
    # the server's revision, not the desk's ``updated_at``: a desk may send new text under the
    # same ``updated_at`` (and the upsert takes it), the revision moves at every write
    version = a.c.id + literal("@") + cast(a.c.revision, String)
    joined = func.string_agg(version, literal(",")) if dialect == "postgresql" else func.group_concat(version, ",")
    live = (a.c.agency_code == d.c.agency_code, a.c.deleted.is_(False))
    notices = select(joined).where(*live, or_(a.c.valid_until.is_(None), a.c.valid_until > bindparam("now"))) \
        .scalar_subquery()
    next_start = select(func.min(a.c.valid_from)).where(*live, a.c.valid_from > bindparam("now")).scalar_subquery()
    return select(d, profile_at.label("v_profile"), entry_at.label("v_entry"), base_at.label("v_base"),
                  notices.label("v_notices"), next_start.label("v_next_notice"), *extra) \
        .where(d.c.code == bindparam("code"), d.c.key_sha256 == bindparam("key_sha256"))


def stamp(row, verdict, zalo: dict | None) -> tuple:
    """What must not have changed for a kept page to be served again (``row`` read by
    ``statement``)."""
    # the whole row, not only ``last_seq``: a change of the dossier's state by any writer (a
    # rebuild, a fix by hand) shows, whether or not it came with an event
    return (tuple(row), verdict.value, None if zalo is None else tuple(sorted(zalo.items())))

"""The centre's announcements: what the admin keeps, what is current, what the server has not got yet."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .models import Announcement


def get(session: Session, announcement_id: str) -> Announcement | None:
    return session.get(Announcement, announcement_id)


def listed(session: Session) -> Sequence[Announcement]:
    """Every announcement not deleted, the newest first."""
    return session.scalars(select(Announcement).where(Announcement.deleted.is_(False))
                           .order_by(Announcement.valid_from.desc(), Announcement.created_at.desc())).all()


def current(session: Session, now: datetime, limit: int | None = None) -> Sequence[Announcement]:
    """Those valid at ``now``, the newest first."""
    q = (select(Announcement).where(Announcement.deleted.is_(False), Announcement.valid_from <= now,
                                    or_(Announcement.valid_until.is_(None), Announcement.valid_until > now))
         .order_by(Announcement.valid_from.desc(), Announcement.created_at.desc()))
    if limit:
        q = q.limit(limit)
    return session.scalars(q).all()


def unsent(session: Session, limit: int) -> Sequence[Announcement]:
    """Versions the server has not acknowledged (deletions included), oldest change first."""
    return session.scalars(select(Announcement).where(Announcement.synced_at.is_(None))
                           .order_by(Announcement.updated_at, Announcement.id).limit(limit)).all()


def count_unsent(session: Session) -> int:
    return len(session.scalars(select(Announcement.id).where(Announcement.synced_at.is_(None))).all())


def mark_sent(session: Session, versions: Sequence[tuple[str, datetime]], now: datetime) -> int:
    """Mark as sent the versions the server took; one edited meanwhile stays unsent."""
    done = 0
    for announcement_id, updated_at in versions:
        done += session.execute(update(Announcement).where(Announcement.id == announcement_id,
                                                           Announcement.updated_at == updated_at)
                                .values(synced_at=now)).rowcount or 0
    return done

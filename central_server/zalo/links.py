"""A dossier linked to a Zalo user: one-time codes the dossier page shows (24 h, single use,
stored as SHA-256), the link the webhook makes when the user sends one to the OA, and the
unlinking (from the page, or by unfollowing the OA). A dossier has at most one linked user:
a new link replaces the old one."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import ZaloGuesses, ZaloLink, ZaloLinkCode

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I: read off a phone and typed
LENGTH = 8                                       # 40 bits, for 24 hours


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_code(session: Session, dossier_code: str, now: datetime, hours: float) -> tuple[str, datetime]:
    """A fresh code for the dossier, shown once ("ABCD-EFGH"), and when it expires."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    expires = now + timedelta(hours=hours)
    session.add(ZaloLinkCode(code_hash=_hash(code), dossier_code=dossier_code, created_at=now, expires_at=expires))
    return code[:4] + "-" + code[4:], expires


def normalise(text: str) -> str | None:
    """The code in what the user typed ("abcd efgh", "ABCD-EFGH", "LK ABCD-EFGH"), or None."""
    t = "".join(c for c in (text or "").upper() if c.isalnum())
    if len(t) == LENGTH + 2 and t.startswith("LK"):
        t = t[2:]
    return t if len(t) == LENGTH and all(c in ALPHABET for c in t) else None


SLOW_AFTER = 2           # wrong codes in the window after which a guess must wait ``zalo_link_guess_pause_seconds``


def guess_refusal(session: Session, user_id: str, now: datetime, settings) -> tuple[str, datetime] | None:
    """Whether ``user_id`` may try a link code now: None, or ("blocked" | "slow", until when).

    A user who sent ``zalo_link_guesses`` wrong codes within ``zalo_link_guess_window_minutes``
    is blocked for ``zalo_link_block_minutes``; after ``SLOW_AFTER`` wrong ones, each try must
    wait ``zalo_link_guess_pause_seconds`` after the last wrong one. A try refused so is not
    checked at all (a right code sent then is not used up either). With 40-bit codes, five
    tries an hour per Zalo account leave a brute force no chance."""
    row = session.get(ZaloGuesses, user_id[:64])
    if row is None:
        return None
    if row.blocked_until is not None and row.blocked_until > now:
        return "blocked", row.blocked_until
    window = timedelta(minutes=settings.zalo_link_guess_window_minutes)
    if row.since + window < now:
        return None
    pause = timedelta(seconds=settings.zalo_link_guess_pause_seconds)
    if row.wrong >= SLOW_AFTER and row.last_wrong_at + pause > now:
        return "slow", row.last_wrong_at + pause
    return None


def wrong_guess(session: Session, user_id: str, now: datetime, settings) -> tuple[int, datetime | None]:
    """Count a wrong code of ``user_id``: (tries left in the window, blocked until when or None)."""
    row = session.get(ZaloGuesses, user_id[:64])
    window = timedelta(minutes=settings.zalo_link_guess_window_minutes)
    if row is None:
        row = ZaloGuesses(user_id=user_id[:64], wrong=0, since=now, last_wrong_at=now, blocked_until=None)
        session.add(row)
    if row.since + window < now or (row.blocked_until is not None and row.blocked_until <= now):
        row.wrong, row.since, row.blocked_until = 0, now, None      # a new window
    row.wrong += 1
    row.last_wrong_at = now
    left = max(0, settings.zalo_link_guesses - row.wrong)
    if left == 0:
        row.blocked_until = now + timedelta(minutes=settings.zalo_link_block_minutes)
    session.flush()
    return left, row.blocked_until


def use_code(session: Session, text: str, user_id: str, now: datetime) -> str | None:
    """Link ``user_id`` to the dossier of the code in ``text`` if it is valid, unused and
    unexpired (then it is used up); the dossier's code, else None."""
    code = normalise(text)
    if code is None:
        return None
    row = session.execute(select(ZaloLinkCode).where(ZaloLinkCode.code_hash == _hash(code))
                          .with_for_update()).scalar()
    if row is None or row.used_at is not None or row.expires_at < now:
        return None
    row.used_at, row.used_by = now, user_id[:64]
    link(session, row.dossier_code, user_id, now)
    return row.dossier_code


def link(session: Session, dossier_code: str, user_id: str, now: datetime) -> None:
    current = active(session, dossier_code)
    if current is not None and current.user_id == user_id:
        return
    session.execute(update(ZaloLink).where(ZaloLink.dossier_code == dossier_code, ZaloLink.unlinked_at.is_(None))
                    .values(unlinked_at=now, unlinked_by="replaced"))
    session.add(ZaloLink(dossier_code=dossier_code, user_id=user_id[:64], linked_at=now))
    session.flush()


def active(session, dossier_code: str):
    return session.execute(select(ZaloLink).where(ZaloLink.dossier_code == dossier_code,
                                                  ZaloLink.unlinked_at.is_(None))
                           .order_by(ZaloLink.id.desc()).limit(1)).scalar()


def unlink_dossier(session: Session, dossier_code: str, now: datetime, by: str = "citizen") -> int:
    return session.execute(update(ZaloLink).where(ZaloLink.dossier_code == dossier_code,
                                                  ZaloLink.unlinked_at.is_(None))
                           .values(unlinked_at=now, unlinked_by=by)).rowcount


def unlink_user(session: Session, user_id: str, now: datetime, by: str = "unfollow") -> int:
    return session.execute(update(ZaloLink).where(ZaloLink.user_id == user_id, ZaloLink.unlinked_at.is_(None))
                           .values(unlinked_at=now, unlinked_by=by)).rowcount


def dossier_of(session: Session, user_id: str) -> str | None:
    """The dossier a user's messages go to: the one they linked last (still linked)."""
    return session.execute(select(ZaloLink.dossier_code).where(
        ZaloLink.user_id == user_id, ZaloLink.unlinked_at.is_(None)).order_by(ZaloLink.id.desc()).limit(1)).scalar()

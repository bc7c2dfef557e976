"""The centre's announcements: the admin writes, edits and withdraws them; the kiosk's idle
screen and the public pages (through the central server) show the ones valid now.

Every change marks the announcement unsent (``synced_at`` None); the sync round sends it,
deletions included (kept as rows with ``deleted``, so the server hears of them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.i18n import tr
from ..domain.procedures import PROCEDURE_CODE
from ..domain.roles import Action
from ..domain.text import clean
from ..storage import announcements_repo as store
from ..storage import repositories as repo
from ..storage.models import Announcement
from .context import CurrentUser, DeskContext, ServiceError, require
from .messages import clean_message

MAX_TITLE = 200
MAX_BODY = 4000
MAX_TAGS = 50          # procedures or fields one announcement names
MAX_FIELD = 200


@dataclass
class AnnouncementInput:
    title: str
    body: str
    valid_from: datetime
    valid_until: datetime | None = None
    procedures: list[str] = field(default_factory=list)   # procedure codes; empty: every procedure
    fields: list[str] = field(default_factory=list)       # fields (lĩnh vực); empty: every field


@dataclass(frozen=True)
class AnnouncementView:
    id: str
    title: str
    body: str
    valid_from: datetime
    valid_until: datetime | None
    procedures: list[str]
    fields: list[str]
    author: str
    updated_at: datetime
    synced: bool

    def valid_at(self, now: datetime) -> bool:
        return self.valid_from <= now and (self.valid_until is None or self.valid_until > now)


def _view(a: Announcement) -> AnnouncementView:
    return AnnouncementView(a.id, a.title, a.body, a.valid_from, a.valid_until, list(a.procedures or []),
                            list(a.fields or []), a.author, a.updated_at, a.synced_at is not None)


def _checked(s, draft: AnnouncementInput) -> AnnouncementInput:
    """The draft cleaned (NFC, spaces), or ``ServiceError`` listing what is wrong."""
    problems = []
    title, body = clean(draft.title), clean_message(draft.body)
    if not title:
        problems.append(tr("Chưa nhập tiêu đề."))
    elif len(title) > MAX_TITLE:
        problems.append(tr("Tiêu đề dài quá {max} ký tự.").format(max=MAX_TITLE))
    if not body:
        problems.append(tr("Chưa nhập nội dung thông báo."))
    elif len(body) > MAX_BODY:
        problems.append(tr("Nội dung dài {n} ký tự; tối đa {max} ký tự.").format(n=len(body), max=MAX_BODY))
    valid_from = draft.valid_from.replace(second=0, microsecond=0, tzinfo=None)
    valid_until = draft.valid_until.replace(second=0, microsecond=0, tzinfo=None) if draft.valid_until else None
    if valid_until is not None and valid_until <= valid_from:
        problems.append(tr("Ngày hết hiệu lực phải sau ngày bắt đầu."))
    codes = list(dict.fromkeys(clean(c).upper() for c in draft.procedures if clean(c)))
    wrong = [c for c in codes if not PROCEDURE_CODE.match(c) or repo.current_procedure(s, c) is None]
    if wrong:
        problems.append(tr("Không có thủ tục mã {codes} trong danh mục.").format(codes=", ".join(wrong)))
    fields = list(dict.fromkeys(clean(f) for f in draft.fields if clean(f)))
    if len(codes) > MAX_TAGS or len(fields) > MAX_TAGS:
        problems.append(tr("Mỗi thông báo liên quan tối đa {max} thủ tục và {max} lĩnh vực.").format(max=MAX_TAGS))
    if any(len(f) > MAX_FIELD for f in fields):
        problems.append(tr("Tên lĩnh vực dài quá {max} ký tự.").format(max=MAX_FIELD))
    if problems:
        raise ServiceError(" ".join(problems))
    return AnnouncementInput(title, body, valid_from, valid_until, codes, fields)


def listed(ctx: DeskContext, user: CurrentUser) -> list[AnnouncementView]:
    """Every announcement not withdrawn (past and future ones too), the newest first."""
    require(user, Action.MANAGE_ANNOUNCEMENTS)
    with ctx.db.session(write=False) as s:
        return [_view(a) for a in store.listed(s)]


def save(ctx: DeskContext, user: CurrentUser, draft: AnnouncementInput,
         announcement_id: str | None = None) -> AnnouncementView:
    """Publish a new announcement, or change one (``announcement_id``); sent at the next sync."""
    require(user, Action.MANAGE_ANNOUNCEMENTS)
    now = ctx.clock().replace(microsecond=0)
    with ctx.db.session() as s:
        d = _checked(s, draft)
        if announcement_id is None:
            a = Announcement(id=str(uuid.uuid4()), author=user.username, created_at=now, deleted=False)
            s.add(a)
        else:
            a = store.get(s, announcement_id)
            if a is None or a.deleted:
                raise ServiceError(tr("Thông báo này không còn (có thể đã bị xóa)."))
        a.title, a.body, a.valid_from, a.valid_until = d.title, d.body, d.valid_from, d.valid_until
        a.procedures, a.fields = d.procedures, d.fields
        # never earlier than the version the server may hold (the newest ``updated_at`` wins there,
        # an equal one too), even if this machine's clock went back
        a.updated_at = max(now, a.updated_at) if a.updated_at else now
        a.synced_at = None
        s.flush()
        return _view(a)


def delete(ctx: DeskContext, user: CurrentUser, announcement_id: str) -> None:
    """Withdraw an announcement: kept as deleted, so the server takes it down too."""
    require(user, Action.MANAGE_ANNOUNCEMENTS)
    now = ctx.clock().replace(microsecond=0)
    with ctx.db.session() as s:
        a = store.get(s, announcement_id)
        if a is None or a.deleted:
            raise ServiceError(tr("Thông báo này không còn (có thể đã bị xóa)."))
        a.deleted, a.updated_at, a.synced_at = True, max(now, a.updated_at), None


def current(ctx: DeskContext, now: datetime | None = None, limit: int | None = None) -> list[AnnouncementView]:
    """The announcements valid now (the kiosk's idle screen: titles and bodies), the newest first."""
    now = now or ctx.clock()
    with ctx.db.session(write=False) as s:
        return [_view(a) for a in store.current(s, now, limit)]

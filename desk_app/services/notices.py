"""What the citizen was told about a dossier, by Zalo or e-mail, as the central server keeps it:
whether the dossier is linked to the citizen's Zalo, each notice (what, how, to whom, when,
whether it failed), and the per-dossier choice not to notify (at the citizen's request).

The notices live on the server (it sends them); the desk asks for them when a clerk opens the
dossier, and says plainly when it cannot reach the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..domain.dossier import EventKind
from ..domain.i18n import N_, tr
from ..domain.roles import Action
from ..sync.client import SyncError
from .context import CurrentUser, DeskContext, ServiceError, require
from . import sync

STATUS_LABELS = {"pending": N_("Chờ gửi"), "sent": N_("Đã gửi"), "failed": N_("Gửi không được"),
                 "skipped": N_("Không gửi (công dân không nhận thông báo)")}
VIA_LABELS = {"cs": N_("Zalo (tin nhắn OA)"), "zns": N_("Zalo (tin theo mẫu, qua số điện thoại)"),
              "email": N_("Thư điện tử")}


@dataclass(frozen=True)
class NoticeView:
    what: str
    via: str
    recipient: str
    status: str              # pending | sent | failed | skipped
    status_label: str
    attempts: int
    error: str
    queued_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True)
class NoticesView:
    available: bool          # False: the desk is not enrolled or the server did not answer
    reason: str = ""
    notify: bool = True
    zalo_linked: bool = False
    linked_since: datetime | None = None
    notices: list[NoticeView] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for n in self.notices if n.status == "failed")


def _time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def _what(kind: str) -> str:
    try:
        return EventKind(kind).label
    except ValueError:
        return kind


def for_dossier(ctx: DeskContext, user: CurrentUser, code: str) -> NoticesView:
    """The dossier's notices as the server has them (network: call it off the GUI thread)."""
    require(user, Action.VIEW_DOSSIERS)
    if not sync.is_enrolled(ctx):
        return NoticesView(False, tr("Quầy chưa kết nối máy chủ trung tâm: thông báo cho công dân do máy chủ gửi."))
    try:
        with sync.client_for(ctx, timeout=5) as client:
            data = client.notices(code)
    except SyncError as e:
        return NoticesView(False, tr("Chưa xem được thông báo đã gửi: {reason}").format(reason=e.message))
    links = data.get("links") or []
    open_links = [_time(link.get("linked_at")) for link in links if not link.get("unlinked_at")]
    notices = [NoticeView(_what(n.get("kind", "")), tr(VIA_LABELS.get(n.get("via") or "", n.get("channel", ""))),
                          n.get("recipient") or "", n.get("status", ""),
                          tr(STATUS_LABELS.get(n.get("status", ""), n.get("status", ""))), int(n.get("attempts") or 0),
                          n.get("last_error") or "", _time(n.get("created_at")), _time(n.get("sent_at")))
               for n in data.get("notices") or []]
    return NoticesView(True, "", bool(data.get("notify", True)), bool(data.get("zalo_linked")),
                       max((t for t in open_links if t), default=None), notices)


def set_notify(ctx: DeskContext, user: CurrentUser, code: str, notify: bool) -> bool:
    """Notify the citizen of this dossier's changes, or not (at their request); returns the choice."""
    require(user, Action.ANSWER_CITIZENS)
    if not sync.is_enrolled(ctx):
        raise ServiceError(tr("Quầy chưa kết nối máy chủ trung tâm."))
    try:
        with sync.client_for(ctx, timeout=5) as client:
            return bool(client.set_notify(code, notify).get("notify", notify))
    except SyncError as e:
        raise ServiceError(tr("Chưa lưu được lựa chọn: {reason}").format(reason=e.message)) from e

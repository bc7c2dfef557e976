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
CHANNEL_LABELS = {"zalo": N_("Zalo"), "email": N_("Thư điện tử")}
VIA_LABELS = {"cs": N_("Zalo (tin nhắn OA)"), "zns": N_("Zalo (tin theo mẫu, qua số điện thoại)"),
              "email": N_("Thư điện tử")}


# why a notice did not go, in the clerk's words: by Zalo's error code or the server's own word
_TOKEN = N_("Khóa truy cập của Zalo OA hết hạn hoặc không hợp lệ; quản trị máy chủ cần cấp lại quyền "
            "(lệnh desk-app server zalo-consent).")
_RATE = N_("Zalo đang giới hạn số tin gửi (gửi quá nhanh hoặc hết hạn mức); máy chủ sẽ gửi lại sau.")
_WINDOW = N_("Công dân không nhắn cho Zalo OA trong 7 ngày qua hoặc đã bỏ quan tâm: không gửi được tin tư vấn.")
_NETWORK = N_("Không kết nối được dịch vụ gửi tin; máy chủ sẽ gửi lại sau.")
REASONS = {
    "-216": _TOKEN, "-220": _TOKEN, "-124": _TOKEN, "token_unavailable": _TOKEN, "token_refresh_failed": _TOKEN,
    "-32": _RATE, "-144": _RATE, "-211": _RATE, "-115": _RATE,
    "-133": N_("Zalo không cho gửi tin theo mẫu vào ban đêm; máy chủ sẽ gửi lại sau."),
    "-230": _WINDOW, "-232": _WINDOW, "-213": _WINDOW, "outside_window": _WINDOW,
    "-108": N_("Số điện thoại của hồ sơ không nhận được tin Zalo."),
    "-131": N_("Mẫu tin Zalo (ZNS) chưa được Zalo duyệt."),
    "-201": N_("Zalo từ chối nội dung tin (tham số không hợp lệ)."),
    "-204": N_("Official Account đang bị khóa hoặc không tồn tại."), "-205": N_("Official Account đang bị khóa hoặc không tồn tại."),
    "-139": N_("Công dân đã từ chối nhận tin theo mẫu của Zalo."), "-141": N_("Công dân đã từ chối nhận tin theo mẫu của Zalo."),
    "no_template": N_("Chưa cấu hình mẫu tin Zalo cho loại thông báo này."),
    "no_phone": N_("Hồ sơ không có số điện thoại dùng được."),
    "no_email": N_("Hồ sơ không có địa chỉ thư điện tử."),
    "no_zalo_user": N_("Công dân chưa liên kết Zalo."),
    "do_not_notify": N_("Công dân đề nghị không nhận thông báo."),
    "recipient_refused:": N_("Máy chủ thư điện tử từ chối địa chỉ người nhận."),
    "channel_off": N_("Kênh gửi này đang tắt trên máy chủ trung tâm."),
}


def reason_text(error: str | None) -> str:
    """The last error of a notice, said in Vietnamese ("" if none)."""
    if not error:
        return ""
    words = error.split()
    first = words[0]
    if first in REASONS:
        return tr(REASONS[first])
    if first == "1" and len(words) > 1 and words[1] in REASONS:      # the server's own word after a code 1
        return tr(REASONS[words[1]])
    if first == "1" or first.endswith("Error") or first.startswith("http_"):
        return tr(_NETWORK)
    if first.startswith("smtp_"):
        return tr("Máy chủ thư điện tử báo lỗi {code}.").format(code=first[5:])
    if len(words) > 1 and words[-1] in REASONS:                       # "-230 outside_window"
        return tr(REASONS[words[-1]])
    return tr("Lỗi khác: {error}").format(error=error[:200])


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
                          reason_text(n.get("last_error")), _time(n.get("created_at")), _time(n.get("sent_at")))
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


# -- desk-wide: which dossiers are linked, which notices are in trouble ----------------------------

@dataclass(frozen=True)
class LinkedDossier:
    code: str
    owner_name: str          # from the desk's own copy of the dossier ("" if the desk has none)
    procedure: str
    linked_at: datetime | None


@dataclass(frozen=True)
class NoticeProblem:
    code: str
    owner_name: str
    what: str
    via: str
    recipient: str
    status: str              # failed | pending (being retried)
    status_label: str
    attempts: int
    reason: str              # in Vietnamese
    queued_at: datetime | None
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class Overview:
    available: bool
    reason: str = ""
    linked: list[LinkedDossier] = field(default_factory=list)
    problems: list[NoticeProblem] = field(default_factory=list)
    zalo_awaiting_consent: bool = False
    truncated: bool = False


PROBLEM_LABELS = {"failed": N_("Gửi không được"), "pending": N_("Đang gửi lại")}


def overview(ctx: DeskContext, user: CurrentUser) -> Overview:
    """The desk's dossiers linked to Zalo and its notices that failed or are being retried, as
    the server has them (network: call it off the GUI thread)."""
    require(user, Action.VIEW_DOSSIERS)
    if not sync.is_enrolled(ctx):
        return Overview(False, tr("Quầy chưa kết nối máy chủ trung tâm: thông báo cho công dân do máy chủ gửi."))
    try:
        with sync.client_for(ctx, timeout=10) as client:
            data = client.notices_overview()
    except SyncError as e:
        return Overview(False, tr("Chưa xem được thông báo: {reason}").format(reason=e.message))
    linked_rows = [r for r in data.get("linked") or [] if isinstance(r, dict)]
    problem_rows = [r for r in data.get("problems") or [] if isinstance(r, dict)]
    from ..storage import repositories as repo
    codes = {str(r.get("dossier", "")) for r in linked_rows + problem_rows}
    with ctx.db.session(write=False) as s:
        owners = {}
        for code in codes:
            d = repo.dossier_by_code(s, code)
            if d is not None:
                owners[code] = d.owner_name
    linked = [LinkedDossier(str(r.get("dossier", "")), owners.get(str(r.get("dossier", "")), ""),
                            str(r.get("procedure") or ""), _time(r.get("linked_at"))) for r in linked_rows]
    problems = [NoticeProblem(str(r.get("dossier", "")), owners.get(str(r.get("dossier", "")), ""),
                              _what(str(r.get("kind", ""))),
                              tr(VIA_LABELS.get(r.get("via") or "", CHANNEL_LABELS.get(r.get("channel") or "",
                                                                                      str(r.get("channel") or "")))),
                              str(r.get("recipient") or ""), str(r.get("status", "")),
                              tr(PROBLEM_LABELS.get(str(r.get("status", "")), str(r.get("status", "")))),
                              int(r.get("attempts") or 0), reason_text(r.get("last_error")),
                              _time(r.get("created_at")), _time(r.get("next_attempt_at"))) for r in problem_rows]
    return Overview(True, "", linked, problems, bool(data.get("zalo_awaiting_consent")), bool(data.get("truncated")))

"""Export of dossiers and their history with the national portal's (DVCQG) field names.

The field names are those of the national sync payload (``HoSoDongBoDVC`` and
``QuaTrinhXuLyDongBoDVC``, listed in ``docs/reference/vn-one-stop-sources.md`` §7); a test holds
this export and that list in step (``tests/services/test_dvcqg_fields.py``), with the fields the
desk cannot hold yet named there and why.

What the desk cannot know, and how it is written (see ``NOTES``):
- MaLinhVuc: the national field codes are not in the catalogue, and the reference gives no table
  from a field's name to its code. A procedure whose catalogue entry has ``field_code`` gets it;
  otherwise MaLinhVuc is empty and the field's name is in TenLinhVuc (never the name as a code).
- NgayNopHoSo: for a dossier handed in at the counter, when the counter received it; for an online
  submission, when the citizen sent it (NgayTiepNhan is then the counter's acceptance).
- An online submission the counter has not accepted (``lifecycle.NOT_ACCEPTED_STAGES``) was never
  received: status 1 "Mới đăng ký" while it waits, 3 or 7 if refused or withdrawn before the check
  (the national list has codes for both, so it is exported). NgayNopHoSo is its submission;
  NgayTiepNhan, NgayHenTra and NgayKetThucXuLy are empty: no receipt, no appointment, no processing
  (F766 1.4 counts a dossier with NgayTiepNhan as received; 2.1 judges one with an end against its
  appointment). NgayTuChoi is the refusal's time.
- HinhThuc (how the result is returned): the reference names the field without its codes; the
  export writes 1 for return by post, 0 at the counter **[unverified]**.
- Fees: the fee recorded at the counter (amount, paid/exempt/later as HinhThucThu 1/2/3
  **[unverified codes]**, the fee receipt's number as SoBienLai); without one, the catalogue's
  fees of the dossier's case and channel, an amount to be confirmed with an empty Gia. Fee codes
  and kinds are not in the catalogue.
- Scans are not tied to one component: a dossier with scans, or submitted online (its papers are
  files), has every handed-in component marked digitised (DuocSoHoa 1), one without has none.
  Result files are not kept: no path.
- VNeID: the desk does not see how an online applicant logged in: always 0 (not known verified).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select

from ..domain import fees as fee_rules
from ..domain import lifecycle
from ..domain.dossier import ApplicantType, EventKind, Status
from ..domain.procedures import Channel, procedure_from_dict
from ..storage import repositories as repo
from ..storage.models import Attachment, Dossier, EventRow, Unit, User
from .context import DeskContext

ROLE_TITLES = {"clerk": "Cán bộ tiếp nhận", "specialist": "Chuyên viên", "supervisor": "Lãnh đạo",
               "admin": "Quản trị", "kiosk": "Kiosk"}

# HinhThuc: how the citizen gets the result [unverified codes: the reference names the field only]
RESULT_AT_COUNTER, RESULT_BY_POST = 0, 1

# Events done at the counter: with no unit code of their own, the counter that received the dossier.
COUNTER_KINDS = frozenset({EventKind.RECEIVED, EventKind.RECEIPT_PRINTED, EventKind.KEY_REPLACED,
                           EventKind.ATTACHMENT_ADDED, EventKind.SUPPLEMENT_RECEIVED, EventKind.RETURNED,
                           EventKind.WITHDRAWN, EventKind.COUNTER_REPLY})

NOTES = (
    "MaLinhVuc: mã lĩnh vực quốc gia không có trong danh mục thủ tục của bàn làm việc; để trống, "
    "tên lĩnh vực ở TenLinhVuc.",
    "HinhThuc: 1 = trả kết quả qua bưu chính, 0 = tại Bộ phận Một cửa (mã chưa đối chiếu được).",
    "DanhSachLePhi: số tiền đã thu (hoặc miễn, nộp sau) do Bộ phận Một cửa ghi cho hồ sơ, kèm số biên lai "
    "(SoBienLai); hồ sơ chưa ghi thì là mức theo danh mục cho trường hợp và kênh nộp, Gia để trống khi mức "
    "thu chưa xác định. HinhThucThu: 1 đã thu, 2 miễn, 3 nộp sau (mã chưa đối chiếu được).",
    "TaiKhoanDuocXacThucVoiVNeID: bàn làm việc không biết hình thức xác thực của người nộp trực tuyến; ghi 0.",
    "Hồ sơ nộp trực tuyến chưa được tiếp nhận (TrangThaiHoSo 1; 3 hoặc 7 nếu bị từ chối hoặc rút trước khi "
    "tiếp nhận): NgayNopHoSo là lúc công dân nộp; NgayTiepNhan, NgayHenTra, NgayKetThucXuLy để trống.",
)


def field_code(data: dict[str, Any]) -> str:
    """MaLinhVuc: the catalogue's national field code, never the field's name."""
    code = data.get("field_code")
    return code if isinstance(code, str) else ""


def _d(t: datetime | None) -> str:
    return t.strftime("%Y%m%d%H%M%S") if t else ""


def _submitted_at(events) -> datetime | None:
    """When an online submission was sent (its opening event's time), before the counter accepted it."""
    first = next(iter(events), None)
    if first is None or first.kind != EventKind.SUBMITTED_ONLINE.value:
        return None
    try:
        return lifecycle.parse_payload(EventKind.SUBMITTED_ONLINE, first.payload).received_at
    except lifecycle.PayloadError:
        return first.desk_time


def _fees(d: Dossier, data: dict[str, Any], events) -> list[dict[str, Any]]:
    """DanhSachLePhi: the fee recorded at the counter for the dossier when there is one (amount,
    how it was collected, the fee receipt's number); else the catalogue's fees of its case and
    channel, an amount to be confirmed written as an empty Gia (never a guess)."""
    charged = fee_rules.charged(events)
    if charged is not None:
        return [{"TenPhiLePhi": "Phí, lệ phí", "Gia": charged.amount, "HinhThucThu": charged.status.dvcqg,
                 "SoBienLai": charged.receipt_no}]
    terms = _terms(d, data, events)
    if terms is None:
        return []
    return [{"TenPhiLePhi": f.name, "Gia": "" if f.amount is None else f.amount} for f in terms.fees]


def _terms(d: Dossier, data: dict[str, Any], events):
    """The catalogue's terms of the dossier's case on its channel (None if not readable)."""
    try:
        return procedure_from_dict(data).terms(Channel(d.channel), fee_rules.case_chosen(events) or None)
    except (ValueError, TypeError):
        return None


def _subject(p, data: dict[str, Any], events, owner_name: str) -> str:
    """TrichYeuHoSo: the procedure (and its case, when it has several), then the owner."""
    try:
        proc = procedure_from_dict(data)
        case = proc.case(fee_rules.case_chosen(events)) if proc.has_cases else None
    except (ValueError, TypeError):
        case = None
    return ("%s (%s) - %s" % (p.name, case.name, owner_name) if case is not None
            else "%s - %s" % (p.name, owner_name))[:1000]


def _history(d: Dossier, events, users: dict[str, User], unit_names: dict[str, str],
             unit_of_id: dict[int, str], counter_name: str) -> tuple[list[dict], list[dict]]:
    """QuaTrinhXuLy and DanhSachHoSoBoSung, walked through the one reducer (status and hop
    times after each event)."""
    history: list[dict] = []
    supplements: list[dict] = []
    state = None
    for e in events:
        # the unit that acted: the event's own, else the one holding the dossier when it happened
        held_by = state.holder_unit if state is not None else None
        try:
            state = lifecycle.apply(state, e)
        except (lifecycle.StepRefusal, lifecycle.PayloadError):
            pass  # kept in the history as written; the state stays
        kind = EventKind(e.kind)
        u = users.get(e.actor)
        unit = unit_names.get(e.unit or held_by or "", e.unit or held_by or "")
        if not unit and u is not None and u.unit_id:
            unit = unit_of_id.get(u.unit_id, "")
        if not unit and kind in COUNTER_KINDS:
            unit = counter_name
        history.append({
            "MaHoSo": d.code, "NguoiXuLy": (u.full_name if u else e.actor)[:50],
            "ChucDanh": ROLE_TITLES.get(u.role, "") if u else "",
            "ThoiDiemXuLy": _d(e.desk_time), "PhongBanXuLy": unit,
            "NoiDungXuLy": kind.label,
            "TrangThai": state.status.value if state is not None else "",
            "NgayBatDau": _d(state.holder_since) if state is not None else "",
            "NgayKetThucTheoQuyDinh": _d(state.hop_due_at) if state is not None else "",
        })
        payload = e.payload or {}
        if kind is EventKind.SUPPLEMENT_REQUESTED:
            missing = [str(m) for m in payload.get("missing") or []]
            reason = str(payload.get("reason") or "")
            supplements.append({
                "NguoiYeuCauBoSung": (u.full_name if u else e.actor)[:50],
                "NoiDungBoSung": (reason + ": " if reason else "") + "; ".join(missing),
                "NgayBoSung": _d(e.desk_time), "NgayHenTraTruoc": "", "NgayHenTraMoi": "",
            })
        elif kind is EventKind.SUPPLEMENT_RECEIVED and supplements and not supplements[-1]["NgayHenTraMoi"]:
            try:
                back = lifecycle.parse_payload(kind, payload)
            except lifecycle.PayloadError:
                continue
            supplements[-1]["NgayHenTraTruoc"] = _d(back.old_due)
            supplements[-1]["NgayHenTraMoi"] = _d(back.new_due)
    return history, supplements


def record(d: Dossier, events, users: dict[str, User], units: dict[int, Unit], scans: int) -> dict[str, Any]:
    """One dossier as a DVCQG record (HoSoDongBoDVC)."""
    p = d.procedure
    data = p.data or {}
    owner = d.owner or {}
    unit_names = {u.code: u.name for u in units.values()}
    unit_of_id = {u.id: u.name for u in units.values()}
    counter = units.get(d.counter_unit_id or 0) or next((u for u in units.values() if u.kind == "counter"), None)
    counter_name = counter.name if counter is not None else ""
    unit = units.get(d.handling_unit_id or d.holder_unit_id or 0)
    history, supplements = _history(d, events, users, unit_names, unit_of_id, counter_name)
    status = Status(d.status)
    result_ready = d.outcome in (lifecycle.Verdict.EARLY.value, lifecycle.Verdict.ON_TIME.value,
                                 lifecycle.Verdict.LATE.value)
    # an online submission's papers arrived as files: digitised, like a dossier scanned at the counter
    digitised = 1 if scans or d.channel == Channel.ONLINE.value else 0
    submitted = _submitted_at(events) or d.received_at
    received = not lifecycle.never_received(d.stage)
    return {
        "MaHoSo": d.code, "MaTTHC": p.code, "TenTTHC": p.name,
        "MaLinhVuc": field_code(data), "TenLinhVuc": p.field,
        "KenhThucHien": Channel(d.channel).dvcqg, "ChuHoSo": d.owner_name,
        "SoGiayToChuHoSo": d.owner_id_number,
        "LoaiDoiTuong": ApplicantType(d.applicant_type).dvcqg, "SoDienThoai": d.owner_phone,
        "Email": owner.get("email", ""), "TrichYeuHoSo": _subject(p, data, events, d.owner_name),
        "NgayNopHoSo": _d(submitted),     # online: when the citizen submitted; at the counter: intake
        "NgayTiepNhan": _d(d.received_at) if received else "",
        "NgayHenTra": _d(d.due_at) if received else "",   # the legal appointment (QĐ 766, 2.1)
        "NgayKetThucXuLy": _d(d.finished_at) if received else "", "NgayTra": _d(d.returned_at),
        "NgayTuChoi": _d(d.finished_at) if status is Status.REFUSED else "",
        "TrangThaiHoSo": status.value,
        "HinhThuc": RESULT_BY_POST if d.collect_by_post else RESULT_AT_COUNTER,
        "DonViXuLy": unit.name if unit else "",
        "HoSoCoThanhPhanSoHoa": digitised,
        "TaiKhoanDuocXacThucVoiVNeID": 0,   # not known to the desk
        "DuocThanhToanTrucTuyen": 0,        # fees are collected at the counter, never online here
        "DinhDanhCHS": ([{"LoaiDinhDanh": 1 if owner.get("id_kind") == "cccd" else 2,
                          "SoDinhDanh": d.owner_id_number}]
                        if owner.get("id_kind") in ("cccd", "cmnd") else []),
        "DSKetNoiCSDL": [],                 # no national database is queried by the desk
        "TaiLieuNop": [{"TenTepDinhKem": c.get("name", ""), "DuocSoHoa": digitised, "DuocTaiSuDung": 0,
                        "DuocLayTuKhoDMQG": 0} for c in d.components or []],
        "DanhSachLePhi": _fees(d, data, events),
        "DanhSachHoSoBoSung": supplements,
        "DanhSachGiayToKetQua": ([{"TenGiayTo": data["result"]}]
                                     if result_ready and data.get("result") else []),
        "QuaTrinhXuLy": history,
    }


def export(ctx: DeskContext, since: date, path: Path) -> int:
    """Write dossiers received or changed since ``since`` as DVCQG records; returns how many."""
    start = datetime.combine(since, datetime.min.time())
    with ctx.db.session(write=False) as s:
        units = {u.id: u for u in s.scalars(select(Unit))}
        users = {u.username: u for u in s.scalars(select(User))}
        changed = select(EventRow.dossier_code).where(EventRow.desk_time >= start).distinct()
        dossiers = s.scalars(select(Dossier).where(or_(Dossier.received_at >= start,
                                                       Dossier.code.in_(changed))).order_by(Dossier.received_at)).unique()
        scans = dict(s.execute(select(Attachment.dossier_id, func.count()).where(Attachment.kind == "scan")
                               .group_by(Attachment.dossier_id)).all())
        records = [record(d, repo.events_of(s, d.code), users, units, scans.get(d.id, 0)) for d in dossiers]
    # GhiChu: what the records cannot say (beside them, never inside a record)
    Path(path).write_text(json.dumps({"HoSo": records, "GhiChu": list(NOTES)}, ensure_ascii=False, indent=1),
                          "utf-8")
    return len(records)

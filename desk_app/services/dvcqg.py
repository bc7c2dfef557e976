"""Export of dossiers and their history with the national portal's (DVCQG) field names."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import or_, select

from ..domain.dossier import ApplicantType, EventKind, Status
from ..domain.procedures import Channel
from ..storage import repositories as repo
from ..storage.models import Dossier, EventRow, Unit, User
from .context import DeskContext

ROLE_TITLES = {"clerk": "Cán bộ tiếp nhận", "specialist": "Chuyên viên", "supervisor": "Lãnh đạo",
               "admin": "Quản trị", "kiosk": "Kiosk"}


def _d(t: datetime | None) -> str:
    return t.strftime("%Y%m%d%H%M%S") if t else ""


def export(ctx: DeskContext, since: date, path: Path) -> int:
    """Write dossiers received or changed since ``since`` as DVCQG records; returns how many."""
    start = datetime.combine(since, datetime.min.time())
    with ctx.db.session(write=False) as s:
        units = {u.id: u for u in s.scalars(select(Unit))}
        unit_names = {u.code: u.name for u in units.values()}
        users = {u.username: u for u in s.scalars(select(User))}
        changed = select(EventRow.dossier_code).where(EventRow.desk_time >= start).distinct()
        dossiers = s.scalars(select(Dossier).where(or_(Dossier.received_at >= start,
                                                       Dossier.code.in_(changed))).order_by(Dossier.received_at)).unique()
        records = []
        for d in dossiers:
            p = d.procedure
            owner = d.owner
            unit = units.get(d.handling_unit_id or d.holder_unit_id or 0)
            history = []
            for e in repo.events_of(s, d.code):
                u = users.get(e.actor)
                history.append({
                    "MaHoSo": d.code, "NguoiXuLy": (u.full_name if u else e.actor)[:50],
                    "ChucDanh": ROLE_TITLES.get(u.role, "") if u else "",
                    "ThoiDiemXuLy": _d(e.desk_time), "PhongBanXuLy": unit_names.get(e.unit or "", e.unit or ""),
                    "NoiDungXuLy": EventKind(e.kind).label,
                })
            records.append({
                "MaHoSo": d.code, "MaTTHC": p.code, "TenTTHC": p.name, "MaLinhVuc": p.field,
                "KenhThucHien": Channel(d.channel).dvcqg, "ChuHoSo": d.owner_name,
                "SoGiayToChuHoSo": d.owner_id_number,
                "LoaiDoiTuong": ApplicantType(d.applicant_type).dvcqg, "SoDienThoai": d.owner_phone,
                "Email": owner.get("email", ""), "TrichYeuHoSo": (p.name + " - " + d.owner_name)[:1000],
                "NgayTiepNhan": _d(d.received_at), "NgayHenTra": _d(d.due_at),  # the legal appointment (QĐ 766, 2.1)
                "NgayKetThucXuLy": _d(d.finished_at), "NgayTra": _d(d.returned_at),
                "TrangThaiHoSo": Status(d.status).value, "DonViXuLy": unit.name if unit else "",
                "DinhDanhCHS": ([{"LoaiDinhDanh": 1 if owner.get("id_kind") == "cccd" else 2,
                                  "SoDinhDanh": d.owner_id_number}]
                                if owner.get("id_kind") in ("cccd", "cmnd") else []),
                "QuaTrinhXuLy": history,
            })
    Path(path).write_text(json.dumps({"HoSo": records}, ensure_ascii=False, indent=1), "utf-8")
    return len(records)

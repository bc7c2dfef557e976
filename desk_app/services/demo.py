"""A demo agency with its people, the catalogue and a few hundred dossiers in every state."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from ..domain.dossier import ApplicantType, EventKind, Status
from ..domain.identity import CCCD_PROVINCES, IdKind
from ..domain.intake import IntakeInput, PersonInput
from ..domain.procedures import Channel, procedure_from_dict
from ..domain.roles import Role
from ..domain.text import fold
from ..storage import repositories as repo
from ..storage.models import Dossier, ProcedureRow, Unit
from . import auth, catalogue, intake, receipts, setup
from .context import CurrentUser, DeskContext

DEMO_PASSWORD = "motcua2026"
DEMO_AGENCY = setup.AgencyInput(
    code="000.00.06.H56", name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
    parent_name="UBND tỉnh Thanh Hóa", place="Thanh Hóa",
    address="Số 28 Đại lộ Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa",
    public_base_url="https://dichvucong.thanhhoa.gov.vn")
DEMO_USERS = [
    ("admin", "Lê Văn Quản", Role.ADMIN),
    ("tiepnhan", "Nguyễn Thị Thu Hương", Role.CLERK),
    ("tiepnhan2", "Trần Minh Đức", Role.CLERK),
    ("chuyenvien", "Phạm Quốc Bảo", Role.SPECIALIST),
    ("lanhdao", "Hoàng Thị Lan Anh", Role.SUPERVISOR),
    ("kiosk", "Kiosk sảnh chính", Role.KIOSK),
]
UNITS = [("STP", "Sở Tư pháp"), ("SXD", "Sở Xây dựng"), ("VPDKDD", "Văn phòng Đăng ký đất đai"),
         ("CAT", "Công an tỉnh"), ("STC", "Sở Tài chính"), ("SYT", "Sở Y tế")]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh", "Lương", "Mai"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thành", "Xuân", "Đình", "Ngọc"]
MIDDLE_F = ["Thị", "Thị Thu", "Ngọc", "Thanh", "Thị Hồng", "Minh", "Thùy", "Phương", "Kim", "Bích"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Phúc",
           "Quang", "Sơn", "Thắng", "Tiến", "Trung", "Tuấn", "Việt", "Vinh"]
GIVEN_F = ["Anh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Huyền", "Lan", "Liên", "Linh",
           "Mai", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Uyên", "Yến"]
STREETS = ["Lê Lợi", "Trần Phú", "Bà Triệu", "Quang Trung", "Lê Hoàn", "Nguyễn Trãi", "Hàm Nghi",
           "Phan Chu Trinh", "Tống Duy Tân", "Đào Duy Từ", "Lạc Long Quân", "Hải Thượng Lãn Ông"]
WARDS = ["phường Hạc Thành", "phường Quảng Phú", "phường Đông Quang", "phường Nguyệt Viên",
         "phường Sầm Sơn", "phường Bỉm Sơn", "xã Hoằng Hóa", "xã Thọ Xuân", "xã Quảng Xương",
         "xã Tĩnh Gia", "xã Hậu Lộc", "xã Nga Sơn"]
ORGS = ["Công ty TNHH Thương mại Hồng Đức", "Công ty Cổ phần Xây dựng Lam Sơn",
        "Hợp tác xã Nông nghiệp Đông Sơn", "Công ty TNHH Du lịch Sầm Sơn Xanh"]


def person(rng: random.Random) -> PersonInput:
    male = rng.random() < 0.5
    name = " ".join((rng.choice(SURNAMES), rng.choice(MIDDLE_M if male else MIDDLE_F),
                     rng.choice(GIVEN_M if male else GIVEN_F)))
    born = date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
    century_digit = (0 if born.year < 2000 else 2) + (0 if male else 1)
    province = "038" if rng.random() < 0.8 else rng.choice(sorted(CCCD_PROVINCES))
    cccd = "%s%d%02d%06d" % (province, century_digit, born.year % 100, rng.randint(0, 999999))
    phone = rng.choice(["09", "03", "08", "07", "05"]) + "%08d" % rng.randint(0, 99999999)
    address = "Số %d đường %s, %s, tỉnh Thanh Hóa" % (rng.randint(1, 300), rng.choice(STREETS), rng.choice(WARDS))
    email = "" if rng.random() < 0.7 else "%s%d@gmail.com" % (fold(name).split()[-1], rng.randint(1, 99))
    return PersonInput(name, IdKind.CCCD, cccd, born.strftime("%d/%m/%Y"), phone, email, address)


def build(ctx: DeskContext, dossiers: int = 320, seed: int = 2026, receipts_for_today: int = 5) -> None:
    """Fill an empty desk database with the demo agency and data."""
    rng = random.Random(seed)
    real_clock = ctx.clock
    admin = setup.configure(ctx, DEMO_AGENCY, "admin", DEMO_USERS[0][1], DEMO_PASSWORD)
    with ctx.db.session() as s:
        for code, name in UNITS:
            s.add(Unit(code=code, name=name, kind="department"))
    users: dict[str, CurrentUser] = {"admin": admin}
    for username, full_name, role in DEMO_USERS[1:]:
        users[username] = auth.create_user(ctx, username, full_name, role, DEMO_PASSWORD)
    catalogue.ensure_builtin(ctx)
    with ctx.db.session(write=False) as s:
        rows = s.query(ProcedureRow).all()
        procs = [procedure_from_dict(r.data) for r in rows]
        unit_ids = [u.id for u in s.query(Unit).filter(Unit.kind == "department")]
    clerks = [users["tiepnhan"], users["tiepnhan2"]]
    now = real_clock().replace(second=0, microsecond=0)
    cal = ctx.calendar()
    # Spread dossiers over the last 45 working days; the newest ones today.
    day = now.date()
    days = []
    while len(days) < 45:
        if cal.is_working_day(day):
            days.append(day)
        day -= timedelta(days=1)
    today_count = 0
    for i in range(dossiers):
        d = days[0] if i >= dossiers - 14 else rng.choice(days)
        opening = max(cal.periods[0][0], time(8, 0))
        t = datetime.combine(d, opening) + timedelta(minutes=rng.randint(0, 8 * 60))
        if d == now.date():
            t = min(t, now - timedelta(minutes=dossiers - i))
        proc = rng.choice(procs)
        channel = Channel.DIRECT if Channel.DIRECT in proc.channels else next(iter(proc.channels))
        org = rng.random() < 0.1
        owner = person(rng)
        if org:
            owner.name = rng.choice(ORGS)
            owner.id_kind, owner.id_number, owner.birth_date = IdKind.OTHER, "28%08d" % rng.randint(0, 99999999), ""
        form = IntakeInput(procedure_code=proc.code, owner=owner, channel=channel,
                           applicant_type=ApplicantType.ORGANISATION if org else ApplicantType.INDIVIDUAL,
                           components={c.name: c.count for c in proc.components if c.required or rng.random() < 0.5},
                           sets=1 if rng.random() < 0.9 else 2, collect_by_post=rng.random() < 0.1)
        if rng.random() < 0.15:
            form.submitter_differs, form.submitter = True, person(rng)
        ctx.clock = lambda t=t: t
        clerk = rng.choice(clerks)
        print_it = d == now.date() and today_count < receipts_for_today
        today_count += print_it
        saved = intake.save(ctx, clerk, form, print_receipt=print_it)
        _advance(ctx, rng, saved.code, t, now, unit_ids, users, clerk)
    ctx.clock = real_clock


def _advance(ctx, rng, code, received, now, unit_ids, users, clerk) -> None:
    """Walk a demo dossier some way along its life, as events."""
    cal = ctx.calendar()
    age = cal.working_time_between(received, now)
    if age < timedelta(hours=2):
        return
    steps: list[tuple[EventKind, dict]] = []
    r = rng.random()
    if r < 0.03:
        steps = [(EventKind.WITHDRAWN, {"reason": "Công dân đề nghị rút hồ sơ"})]
    else:
        unit = rng.choice(unit_ids)
        steps = [(EventKind.TRANSFERRED, {"to_unit": unit}), (EventKind.ARRIVED, {"unit": unit}),
                 (EventKind.ASSIGNED, {"to": "chuyenvien"})]
        r2 = rng.random()
        if r2 < 0.08:
            steps.append((EventKind.SUPPLEMENT_REQUESTED, {"reason": "Bổ sung bản sao chứng thực sổ hộ khẩu"}))
        elif r2 < 0.11:
            steps.append((EventKind.PAYMENT_REQUESTED, {"amount": 500000}))
        elif r2 < 0.13:
            steps.append((EventKind.STOPPED, {"reason": "Hồ sơ đang có tranh chấp"}))
        elif r2 < 0.75 and age > timedelta(hours=12):
            steps.append((EventKind.RESULT_READY, {}))
            if rng.random() < 0.7:
                steps.append((EventKind.RETURNED, {"received_by": "owner"}))
    # Space the steps over the time the dossier has had, never past now.
    span = now - received
    with ctx.db.session() as s:
        dossier = s.query(Dossier).filter(Dossier.code == code).one()
        for n, (kind, payload) in enumerate(steps, start=1):
            at = received + span * (n / (len(steps) + 1)) * rng.uniform(0.8, 1.0)
            at = at.replace(microsecond=0)
            actor = clerk.username if kind in (EventKind.TRANSFERRED, EventKind.RETURNED, EventKind.WITHDRAWN) else "chuyenvien"
            repo.append_event(s, dossier, kind, payload, actor, ctx.desk_id, at)
            if kind is EventKind.RESULT_READY:
                dossier.finished_at = at
            if kind is EventKind.RETURNED:
                dossier.returned_at = at
            if kind in (EventKind.WITHDRAWN, EventKind.STOPPED):
                dossier.finished_at = at
            if kind is EventKind.TRANSFERRED:
                dossier.holder_unit_id = payload["to_unit"]

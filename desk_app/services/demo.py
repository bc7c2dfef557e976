"""A demo agency with its people, the catalogue and a few hundred dossiers in every state."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from ..domain.dossier import ApplicantType
from ..domain.identity import CCCD_PROVINCES, IdKind
from ..domain.intake import IntakeInput, PersonInput
from ..domain.procedures import Channel, procedure_from_dict
from ..domain.roles import Role
from ..domain.text import fold
from ..storage.models import ProcedureRow
from . import auth, catalogue, intake, setup
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


FIELD_UNITS = [("hộ tịch", "STP"), ("chứng thực", "STP"), ("nuôi con", "STP"), ("lý lịch", "CAT"),
               ("đất", "VPDKDD"), ("bảo đảm", "VPDKDD"), ("xây dựng", "SXD"), ("cư trú", "CAT"),
               ("căn cước", "CAT"), ("giao thông", "CAT"), ("lái xe", "CAT"), ("phương tiện", "CAT"),
               ("kinh doanh", "STC"), ("doanh nghiệp", "STC"), ("y tế", "SYT")]
SPECIALISTS = {"STP": ("chuyenvien", "Phạm Quốc Bảo"), "SXD": ("cv.sxd", "Đinh Văn Toàn"),
               "VPDKDD": ("cv.datdai", "Ngô Thị Thanh Tâm"), "CAT": ("cv.congan", "Lương Đức Hiếu"),
               "STC": ("cv.taichinh", "Bùi Thị Ngọc Ánh"), "SYT": ("cv.yte", "Mai Xuân Trường")}


def _unit_for(field: str) -> str:
    f = field.lower()
    return next((u for key, u in FIELD_UNITS if key in f), "SYT")


def build(ctx: DeskContext, dossiers: int = 320, seed: int = 2026, receipts_for_today: int = 5) -> None:
    """Fill an empty desk database with the demo agency and data; dossiers walk the real services."""
    from . import admin, workflow
    rng = random.Random(seed)
    real_clock = ctx.clock
    admin_user = setup.configure(ctx, DEMO_AGENCY, "admin", DEMO_USERS[0][1], DEMO_PASSWORD)
    for code, name in UNITS:
        admin.save_unit(ctx, admin_user, code, name)
    users: dict[str, CurrentUser] = {"admin": admin_user}
    for username, full_name, role in DEMO_USERS[1:]:
        if role is Role.SPECIALIST:
            continue
        users[username] = auth.create_user(ctx, username, full_name, role, DEMO_PASSWORD)
    specialists = {unit: admin.add_person(ctx, admin_user, u, n, Role.SPECIALIST, DEMO_PASSWORD, unit)
                   for unit, (u, n) in SPECIALISTS.items()}
    catalogue.ensure_builtin(ctx)
    with ctx.db.session(write=False) as s:
        procs = [procedure_from_dict(r.data) for r in s.query(ProcedureRow).all()]
    for p in procs:
        terms = next(iter(p.channels.values()))
        hours = max(2.0, 7.5 * max(terms.deadline.amount, 0.5) * 0.6)
        workflow.set_workflow(ctx, admin_user, p.code, [workflow.WorkflowStep(_unit_for(p.field), hours),
                                                        workflow.WorkflowStep("MOTCUA", 4)])
    clerks = [users["tiepnhan"], users["tiepnhan2"]]
    lead = users["lanhdao"]
    now = real_clock().replace(second=0, microsecond=0)
    cal = ctx.calendar()
    day = now.date()
    days = []
    while len(days) < 45:
        if cal.is_working_day(day):
            days.append(day)
        day -= timedelta(days=1)
    ctx.print_forms = False
    today_count = 0
    for i in range(dossiers):
        d = days[0] if i >= dossiers - 14 else rng.choice(days)
        t = datetime.combine(d, max(cal.periods[0][0], time(8, 0))) + timedelta(minutes=rng.randint(0, 8 * 60))
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
                           sets=1 if rng.random() < 0.9 else 2, collect_by_post=rng.random() < 0.1,
                           case=rng.choice(proc.cases).key if len(proc.cases) > 1 else "")
        if rng.random() < 0.15:
            form.submitter_differs, form.submitter = True, person(rng)
        ctx.clock = lambda t=t: t
        clerk = rng.choice(clerks)
        print_it = d == now.date() and today_count < receipts_for_today
        today_count += print_it
        saved = intake.save(ctx, clerk, form, print_receipt=print_it)
        if i >= dossiers - 8:
            continue                                    # this morning's: still at the counter
        _advance(ctx, rng, saved.code, t, now, clerk, specialists[_unit_for(proc.field)], lead,
                 _unit_for(proc.field))
    # a couple of dossiers stopped by the leader, so every national status has an example
    from . import queues, workflow
    ctx.clock = lambda: now - timedelta(minutes=30)
    working = [r for r in queues.rows(ctx, lead, queues.Filter(queues.Queue.OPEN), limit=500)
               if r.stage in ("in_unit", "assigned")]
    for row in working[:2]:
        workflow.stop(ctx, lead, row.code, "Tạm dừng chờ kết quả giải quyết tranh chấp tại Tòa án")
    # citizens rated the clerk at the kiosk for some of the returned dossiers
    from ..domain.codes import parse_capability_url
    from ..domain.dossier import Rating
    from . import counter, kiosk
    kiosk_user = users["kiosk"]
    levels = [Rating.VERY_SATISFIED] * 6 + [Rating.SATISFIED] * 3 + [Rating.UNSATISFIED]
    comments = {Rating.VERY_SATISFIED: "Cán bộ hướng dẫn tận tình, nhanh chóng",
                Rating.SATISFIED: "", Rating.UNSATISFIED: "Phải chờ lâu"}
    for summary in counter.search(ctx, "000.00.06.H56", limit=1000):
        if summary.status.value == 10 and rng.random() < 0.4:
            link = parse_capability_url(counter.details(ctx, summary.code).capability_url)
            level = rng.choice(levels)
            kiosk.rate(ctx, kiosk_user, link.code, link.key, level, comments[level])
    _announcements(ctx, admin_user, now)
    _citizen_messages(ctx, users["tiepnhan"], now)
    ctx.clock = real_clock
    ctx.print_forms = True


def _announcements(ctx: DeskContext, admin_user: CurrentUser, now: datetime) -> None:
    """Two notices in force (one for everyone, one for the land office's procedures) and one past."""
    from . import announcements
    day = now.replace(hour=7, minute=0)
    notices = [
        announcements.AnnouncementInput(
            "Tiếp nhận hồ sơ vào sáng thứ Bảy",
            "Từ tháng này, Bộ phận Một cửa tiếp nhận và trả kết quả cả sáng thứ Bảy (7:30–11:30) "
            "cho mọi thủ tục. Người dân có thể tra cứu tình trạng hồ sơ bằng mã QR trên giấy tiếp nhận.",
            day - timedelta(days=3), None),
        announcements.AnnouncementInput(
            "Mang theo bản gốc Giấy chứng nhận khi nhận kết quả",
            "Khi nhận kết quả các thủ tục đất đai, xin mang theo bản gốc Giấy chứng nhận quyền sử dụng đất "
            "đã cấp và giấy tiếp nhận hồ sơ.",
            day - timedelta(days=1), day + timedelta(days=30), fields=["Đất đai"]),
        announcements.AnnouncementInput(
            "Tạm ngừng tiếp nhận trực tuyến để nâng cấp hệ thống",
            "Cổng dịch vụ công tạm ngừng tiếp nhận hồ sơ trực tuyến từ 18:00 đến 22:00.",
            day - timedelta(days=20), day - timedelta(days=19)),
    ]
    for draft in notices:
        announcements.save(ctx, admin_user, draft)


CITIZEN_MESSAGES = [
    ["Cho tôi hỏi hồ sơ của tôi đã được chuyển đến phòng chuyên môn chưa ạ?"],
    ["Tôi muốn đổi số điện thoại liên hệ sang 0987 654 321 được không ạ?",
     "Nếu cần bổ sung giấy tờ gì xin báo giúp tôi qua số này."],
    ["Hồ sơ của tôi có thể nhận kết quả qua bưu điện được không?"],
    ["Tôi đã nộp bổ sung bản sao theo yêu cầu. Xin cảm ơn cán bộ."],
]


def _citizen_messages(ctx: DeskContext, clerk: CurrentUser, now: datetime) -> None:
    """A few citizens wrote from their dossier's page; one was answered. In real life the central
    server writes these events and the desk pulls them; here they are written as the server's
    (desk ``web:<agency>``) and kept out of the outbox."""
    from ..domain import lifecycle
    from ..domain.dossier import EventKind
    from ..storage import repositories as repo
    from . import counter, messages
    waiting = sorted((d for d in counter.search(ctx, DEMO_AGENCY.code, limit=1000)
                      if d.status.value in (2, 4, 5, 6, 9) and d.received_at < now - timedelta(minutes=20)),
                     key=lambda d: d.received_at)
    step = max(1, len(waiting) // len(CITIZEN_MESSAGES))
    for n, texts in enumerate(CITIZEN_MESSAGES):
        if n * step >= len(waiting):
            return
        d = waiting[n * step]
        code = d.code
        # after the dossier was received, before now
        at = min(now - timedelta(minutes=10), max(d.received_at + timedelta(minutes=5),
                                                  now - timedelta(hours=3) + timedelta(minutes=30 * n)))
        for i, text in enumerate(texts):
            with ctx.db.session() as s:
                d = repo.dossier_by_code(s, code)
                payload = lifecycle.payload_dict(lifecycle.CitizenMessage(text=text, channel="zalo" if n == 1 else "web"))
                e = repo.append_event(s, d, EventKind.CITIZEN_MESSAGE, payload, "citizen",
                                      "web:" + DEMO_AGENCY.code, (at + timedelta(minutes=i)).replace(microsecond=0))
                repo.withhold_from_outbox(s, e.id)
        if n == 3:  # the clerk has answered this one
            ctx.clock = lambda at=at: at + timedelta(minutes=5)
            messages.reply(ctx, clerk, code, "Cảm ơn ông/bà. Bộ phận Một cửa đã nhận đủ giấy tờ bổ sung; "
                                             "hồ sơ đã được chuyển tiếp để giải quyết.")


def _advance(ctx, rng, code, received, now, clerk, specialist, lead, unit) -> None:
    """Walk a demo dossier some way along its life through the workflow services."""
    from . import workflow
    cal = ctx.calendar()
    if cal.working_time_between(received, now) < timedelta(hours=1):
        return
    # Steps happen in working hours, mostly within a few working days of the receipt; most
    # dossiers older than two weeks have run their whole course, as in a well-run centre.
    span = cal.working_time_between(received, now)
    complete = span > timedelta(hours=75) and rng.random() < 0.85
    budget = min(span, timedelta(hours=7.5 * rng.uniform(1.0, 6.0))) if complete else span
    moments = sorted(cal.add_working_time(received, budget * rng.uniform(0.02, 0.98)) for _ in range(9))
    it = iter(m.replace(microsecond=0) for m in moments)
    chance = (lambda: 1.0) if complete else rng.random  # a complete dossier takes no side road

    def at(fn, *args, **kw):
        moment = next(it)
        ctx.clock = lambda: moment
        return fn(ctx, *args, **kw)

    r = chance()
    if r < 0.03:
        at(workflow.withdraw, clerk, code, "Công dân đề nghị rút hồ sơ để bổ sung thêm giấy tờ")
        return
    if r < 0.05:
        at(workflow.refuse, clerk, code, ["Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan"])
        return
    at(workflow.transfer, clerk, code, unit)
    if chance() < 0.1:
        return                                          # still on its way
    at(workflow.receive, specialist, code)
    if chance() >= 0.2:
        at(workflow.assign, lead, code, specialist.username)
    r = chance()
    if r < 0.1:
        at(workflow.request_supplement, specialist, code, "Hồ sơ chưa đủ thành phần theo quy định",
           ["Bản sao có chứng thực giấy tờ chứng minh quyền sử dụng"])
        if chance() < 0.5:
            at(workflow.record_supplement, clerk, code)
        return
    if r < 0.15:
        at(workflow.request_payment, specialist, code, rng.choice([500000, 1200000, 2500000]))
        return
    if r < 0.17:
        at(workflow.stop, lead, code, "Tạm dừng chờ kết quả giải quyết tranh chấp tại Tòa án")
        return
    if r < 0.3:
        at(workflow.forward, specialist, code, lead.username)
        return                                          # awaiting signature
    if r < 0.35:
        return                                          # in the specialist's hands
    if chance() < 0.5:
        at(workflow.forward, specialist, code, lead.username)
        at(workflow.approve, lead, code)
    at(workflow.result_ready, specialist, code)
    if chance() < 0.15:
        return
    at(workflow.transfer, specialist, code, "MOTCUA")
    at(workflow.receive, clerk, code)
    if chance() >= 0.2:
        at(workflow.return_result, clerk, code)

"""Desks for the sync tests: configured like real ones (agency, units, people, catalogue),
each on its own database, talking to the real server."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from argon2 import PasswordHasher

from desk_app.domain.roles import Role
from desk_app.services import admin, auth, catalogue, setup, sync
from desk_app.services.context import DeskContext, open_desk
from tests.conftest import SMALL_CATALOGUE, birth_form

# Argon2 at its production cost takes half a second a hash here; these tests make dozens of
# accounts and logins and are not about passwords.
auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

VIETNAM = timezone(timedelta(hours=7))
UNITS = [("STP", "Sở Tư pháp"), ("VPDKDD", "Văn phòng Đăng ký đất đai")]
PASSWORD = "matkhau-2026"


def vn_now() -> datetime:
    return datetime.now(VIETNAM).replace(tzinfo=None, microsecond=0)


class SkewedClock:
    """The machine's clock, as Vietnam wall time, off by ``skew`` (desks' clocks are never right)."""

    def __init__(self, skew: timedelta = timedelta(0)):
        self.skew = skew

    def __call__(self) -> datetime:
        return vn_now() + self.skew


def make_desk(base: Path, desk_id: str, agency: str, clock=None) -> DeskContext:
    """A desk with the counter, two departments, a clerk, a specialist and a leader in each
    department, and the small catalogue."""
    ctx = open_desk(base / desk_id, desk_id=desk_id, clock=clock or SkewedClock())
    (base / desk_id / "desk-id").write_text(desk_id)  # as a desk started without an id keeps its own
    setup.configure(ctx, setup.AgencyInput(
        code=agency, name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa", parent_name="UBND tỉnh Thanh Hóa",
        place="Thanh Hóa", address="28 Đại lộ Lê Lợi, phường Hạc Thành", public_base_url="https://dvc.example.vn"),
        "admin", "Lê Văn Quản", PASSWORD)
    boss = auth.login(ctx, "admin", PASSWORD)
    for code, name in UNITS:
        admin.save_unit(ctx, boss, code, name)
    ctx.clerk = auth.create_user(ctx, "tiepnhan", "Nguyễn Thị Thu Hương", Role.CLERK, PASSWORD)
    ctx.people = {"tiepnhan": ctx.clerk}
    for unit, _ in UNITS:
        low = unit.lower()
        ctx.people["cv_" + low] = admin.add_person(ctx, boss, "cv_" + low, "Chuyên viên " + unit,
                                                   Role.SPECIALIST, PASSWORD, unit)
        ctx.people["ld_" + low] = admin.add_person(ctx, boss, "ld_" + low, "Lãnh đạo " + unit,
                                                   Role.SUPERVISOR, PASSWORD, unit)
    path = base / ("catalogue-%s.json" % desk_id)
    path.write_text(json.dumps(SMALL_CATALOGUE, ensure_ascii=False), "utf-8")
    catalogue.import_file(ctx, path)
    return ctx


def enrolled_desk(base: Path, server, desk_id: str, agency: str, units: list[str], clock=None,
                  scope: str = "units") -> DeskContext:
    ctx = make_desk(base, desk_id, agency, clock)
    sync.enrol(ctx, server.url, server.enrolment_code(agency, units, desk_id, scope))
    return ctx


def attachment(base: Path, name: str, size: int = 50_000, seed: int = 0) -> Path:
    """A scan-like file (random bytes, so every one has its own SHA-256)."""
    path = base / name
    path.write_bytes(os.urandom(size) if seed == 0 else bytes((seed * 31 + i * 7) % 251 for i in range(size)))
    return path


def intake(ctx: DeskContext, files: list[Path] | None = None, **owner) -> str:
    from desk_app.services import intake as intake_service
    form = birth_form(**owner)
    form.attachments = [str(f) for f in files or []]
    return intake_service.save(ctx, ctx.clerk, form, print_receipt=False).code


def intake_named_by_a_rogue_desk(ctx: DeskContext, name: str) -> str:
    """A dossier taken in, then its owner's name changed behind intake's validation, as an old
    or tampered desk would push it (the server and its pages must not trust desks' texts)."""
    from sqlalchemy import select

    from desk_app.domain.dossier import EventKind
    from desk_app.storage import repositories as repo
    from desk_app.storage.models import EventRow
    code = intake(ctx)
    with ctx.db.session() as s:
        d = repo.dossier_by_code(s, code)
        d.owner, d.owner_name = {**d.owner, "name": name}, name
        e = s.scalars(select(EventRow).where(EventRow.dossier_code == code,
                                             EventRow.kind == EventKind.RECEIVED.value)).one()
        e.payload = {**e.payload, "owner": d.owner}
    return code

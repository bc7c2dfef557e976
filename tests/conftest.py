"""Shared fixtures: a configured desk on a temporary database, with a small catalogue."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

SMALL_CATALOGUE = {
    "format": "desk-app-catalogue", "version": 1,
    "procedures": [
        {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch", "level": "Cấp xã",
         "agency": "UBND cấp xã", "result": "Giấy khai sinh (bản chính)",
         "legal_basis": "Luật Hộ tịch 2014", "effective_from": "2025-07-01",
         "source": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
         "channels": {"direct": {"time": 0, "unit": "working_days", "cutoff": "15:00", "fee": 0,
                                 "fee_note": "Miễn lệ phí"},
                      "online": {"time": 0, "unit": "working_days", "cutoff": "15:00", "fee": 0}},
         "components": [
             {"name": "Tờ khai đăng ký khai sinh theo mẫu", "form": "original", "count": 1, "required": True},
             {"name": "Giấy chứng sinh", "form": "original", "count": 1, "required": True},
             {"name": "Văn bản ủy quyền (nếu nộp thay)", "form": "certified_copy", "count": 1, "required": False}]},
        {"code": "1.012783", "name": "Cấp đổi Giấy chứng nhận quyền sử dụng đất", "field": "Đất đai",
         "level": "Cấp tỉnh", "agency": "Văn phòng đăng ký đất đai", "result": "Giấy chứng nhận",
         "legal_basis": "Luật Đất đai 2024", "effective_from": "2025-07-01", "source": "https://dichvucong.gov.vn",
         "channels": {"direct": {"time": 5, "unit": "working_days", "fee": 50000, "fee_note": ""},
                      "post": {"time": 5, "unit": "working_days", "fee": 50000}},
         "components": [
             {"name": "Đơn đề nghị cấp đổi Giấy chứng nhận", "form": "original", "count": 1, "required": True},
             {"name": "Bản gốc Giấy chứng nhận đã cấp", "form": "original", "count": 1, "required": True}]},
        {"code": "1.004194", "name": "Đăng ký tạm trú", "field": "Cư trú", "level": "Cấp xã",
         "agency": "Công an cấp xã", "result": "Xác nhận đăng ký tạm trú", "legal_basis": "Luật Cư trú 2020",
         "effective_from": "2025-07-01", "source": "https://dichvucong.gov.vn",
         "channels": {"direct": {"time": 3, "unit": "working_days", "fee": 0}},
         "components": [{"name": "Tờ khai thay đổi thông tin cư trú", "form": "original", "count": 1,
                         "required": True}]},
    ]}

NOW = datetime(2026, 11, 10, 9, 30)


@pytest.fixture
def small_catalogue(tmp_path) -> Path:
    path = tmp_path / "small-catalogue.json"
    path.write_text(json.dumps(SMALL_CATALOGUE, ensure_ascii=False), "utf-8")
    return path


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def desk(tmp_path, small_catalogue, clock):
    """A configured desk: agency, admin, a clerk, the small catalogue."""
    from desk_app.domain.roles import Role
    from desk_app.services import auth, catalogue, setup
    from desk_app.services.context import open_desk

    ctx = open_desk(tmp_path / "desk", desk_id="desk-A", clock=clock)
    setup.configure(ctx, setup.AgencyInput(
        code="000.00.06.H56", name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        parent_name="UBND tỉnh Thanh Hóa", place="Thanh Hóa", address="28 Đại lộ Lê Lợi, phường Hạc Thành",
        public_base_url="https://dichvucong.thanhhoa.gov.vn"), "admin", "Lê Văn Quản", "matkhau-admin")
    ctx.clerk = auth.create_user(ctx, "tiepnhan", "Nguyễn Thị Thu Hương", Role.CLERK, "matkhau-clerk")
    catalogue.import_file(ctx, small_catalogue)
    yield ctx
    ctx.db.dispose()


def birth_form(**owner):
    """A valid intake form for a birth registration."""
    from desk_app.domain.intake import IntakeInput, PersonInput

    p = PersonInput(name="Nguyễn Thị Hồng Nhung", id_number="038190012345", birth_date="12/03/1990",
                    phone="0912 345 678", email="nhung@example.vn",
                    address="Số 12 ngõ 34, phường Điện Biên, tỉnh Thanh Hóa")
    for k, v in owner.items():
        setattr(p, k, v)
    return IntakeInput(procedure_code="1.001193", owner=p,
                       components={"Tờ khai đăng ký khai sinh theo mẫu": 1, "Giấy chứng sinh": 1})

"""Every setting declared once, with its type, default and label (the Picard way)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .i18n import tr


@dataclass(frozen=True)
class Option:
    key: str
    type: type
    default: Any
    label: str


OPTIONS: dict[str, Option] = {o.key: o for o in (
    Option("working_periods", str, "07:30-11:30, 13:30-17:00", tr("Giờ làm việc")),
    Option("idle_lock_minutes", int, 10, tr("Khóa màn hình sau (phút không thao tác)")),
    Option("paper_size", str, "A4", tr("Khổ giấy in giấy tiếp nhận (A4 hoặc A5)")),
    Option("language", str, "vi", tr("Ngôn ngữ giao diện")),
    Option("code_block_size", int, 20, tr("Số mã hồ sơ cấp cho mỗi quầy một lần")),
    Option("counter_location", str, "Bộ phận Một cửa", tr("Nơi trả kết quả")),
    Option("max_failed_logins", int, 5, tr("Số lần đăng nhập sai trước khi khóa tài khoản")),
    Option("director_name", str, "", tr("Họ tên Giám đốc (ký phiếu xin lỗi)")),
)}


def coerce(key: str, value: Any) -> Any:
    """The stored value converted to the option's type, or its default if it cannot be."""
    option = OPTIONS[key]
    if value is None:
        return option.default
    try:
        return option.type(value)
    except (TypeError, ValueError):
        return option.default

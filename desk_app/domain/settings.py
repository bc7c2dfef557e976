"""Every setting declared once, with its type, default and label (the Picard way)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .i18n import N_, tr


@dataclass(frozen=True)
class Option:
    key: str
    type: type
    default: Any
    source_label: str  # Vietnamese; ``label`` is in the current language
    internal: bool = False  # kept by the program (what was last sent to the server), not shown to the admin

    @property
    def label(self) -> str:
        return tr(self.source_label)


OPTIONS: dict[str, Option] = {o.key: o for o in (
    Option("working_periods", str, "07:30-11:30, 13:30-17:00", N_("Giờ làm việc")),
    Option("idle_lock_minutes", int, 10, N_("Khóa màn hình sau (phút không thao tác)")),
    Option("paper_size", str, "A4", N_("Khổ giấy in giấy tiếp nhận (A4 hoặc A5)")),
    Option("language", str, "vi", N_("Ngôn ngữ giao diện")),
    Option("code_block_size", int, 20, N_("Số mã hồ sơ cấp cho mỗi quầy một lần")),
    Option("counter_location", str, "Bộ phận Một cửa", N_("Nơi trả kết quả")),
    Option("max_failed_logins", int, 5, N_("Số lần đăng nhập sai trước khi khóa tài khoản")),
    Option("director_name", str, "", N_("Họ tên Giám đốc (ký phiếu xin lỗi)")),
    # what the public home page says of the centre (sent to the central server with its name and address)
    Option("centre_phone", str, "", N_("Điện thoại của Trung tâm (trang công khai)")),
    Option("centre_email", str, "", N_("Thư điện tử của Trung tâm (trang công khai)")),
    Option("centre_hours", str, "Sáng 7:30–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu",
           N_("Giờ tiếp nhận và trả kết quả (trang công khai)")),
    # fingerprints of the profile and catalogue the central server last acknowledged: sent again
    # only when they change (or the desk talks to another server)
    Option("published_profile", str, "", N_("Thông tin Trung tâm đã gửi máy chủ"), internal=True),
    Option("published_catalogue", str, "", N_("Danh mục thủ tục đã gửi máy chủ"), internal=True),
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

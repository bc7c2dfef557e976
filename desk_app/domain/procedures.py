"""Administrative procedures (thủ tục hành chính) as the catalogue describes them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Mapping

from .calendar import Deadline, TimeUnit
from .i18n import tr
from .text import clean

PROCEDURE_CODE = re.compile(r"^\d\.\d{6}(\.[0-9A-Z.]+)?$")


class Channel(str, enum.Enum):
    DIRECT = "direct"
    ONLINE = "online"
    POST = "post"

    @property
    def label(self) -> str:
        return {Channel.DIRECT: tr("Trực tiếp"), Channel.ONLINE: tr("Trực tuyến"),
                Channel.POST: tr("Qua bưu chính")}[self]

    @property
    def dvcqg(self) -> int:
        """KenhThucHien on the national portal."""
        return {Channel.DIRECT: 1, Channel.ONLINE: 2, Channel.POST: 3}[self]


class PaperForm(str, enum.Enum):
    ORIGINAL = "original"
    CERTIFIED_COPY = "certified_copy"
    PHOTOCOPY = "photocopy"

    @property
    def label(self) -> str:
        return {PaperForm.ORIGINAL: tr("Bản chính"), PaperForm.CERTIFIED_COPY: tr("Bản chứng thực"),
                PaperForm.PHOTOCOPY: tr("Bản photo")}[self]


@dataclass(frozen=True)
class ChannelTerms:
    deadline: Deadline
    fee: int = 0  # đồng
    fee_note: str = ""


@dataclass(frozen=True)
class Component:
    name: str
    form: PaperForm = PaperForm.ORIGINAL
    count: int = 1
    required: bool = True


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    level: str
    agency: str
    result: str
    legal_basis: str
    effective_from: date
    source: str
    channels: Mapping[Channel, ChannelTerms]
    components: tuple[Component, ...] = ()
    version: int = 1

    def terms(self, channel: Channel) -> ChannelTerms | None:
        return self.channels.get(channel)


class CatalogueError(ValueError):
    """A catalogue entry is wrong; ``messages`` lists every problem, in Vietnamese."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


_UNITS = {
    "working_days": TimeUnit.WORKING_DAYS, "ngày làm việc": TimeUnit.WORKING_DAYS,
    "calendar_days": TimeUnit.CALENDAR_DAYS, "ngày": TimeUnit.CALENDAR_DAYS,
}
_FORMS = {
    "original": PaperForm.ORIGINAL, "bản chính": PaperForm.ORIGINAL,
    "certified_copy": PaperForm.CERTIFIED_COPY, "bản chứng thực": PaperForm.CERTIFIED_COPY,
    "bản sao chứng thực": PaperForm.CERTIFIED_COPY,
    "photocopy": PaperForm.PHOTOCOPY, "bản photo": PaperForm.PHOTOCOPY, "bản sao": PaperForm.PHOTOCOPY,
}


def procedure_from_dict(data: Mapping[str, Any]) -> Procedure:
    """Build a procedure from the catalogue's JSON shape, checking every field.

    Raises ``CatalogueError`` listing every problem found, not just the first.
    """
    errors: list[str] = []

    def text(key: str, required: bool = True) -> str:
        value = clean(str(data.get(key) or ""))
        if required and not value:
            errors.append(tr("thiếu trường \"{field}\"").format(field=key))
        return value

    code = text("code").upper()
    if code and not PROCEDURE_CODE.match(code):
        errors.append(tr("mã thủ tục \"{code}\" không đúng dạng d.dddddd").format(code=code))
    name, fld, level = text("name"), text("field"), text("level")
    agency, result = text("agency", False), text("result")
    legal_basis, source = text("legal_basis", False), text("source")
    effective = date(2025, 7, 1)
    raw_eff = data.get("effective_from")
    if raw_eff:
        try:
            effective = date.fromisoformat(str(raw_eff)[:10])
        except ValueError:
            errors.append(tr("ngày hiệu lực \"{value}\" không đúng dạng YYYY-MM-DD").format(value=raw_eff))
    channels: dict[Channel, ChannelTerms] = {}
    raw_channels = data.get("channels") or {}
    if not isinstance(raw_channels, Mapping):
        errors.append(tr("\"channels\" phải là một bảng theo kênh"))
        raw_channels = {}
    for ch in Channel:
        terms = raw_channels.get(ch.value)
        if not terms:
            continue
        try:
            channels[ch] = _terms(terms)
        except (ValueError, TypeError, KeyError) as e:
            errors.append(tr("kênh {channel}: {problem}").format(channel=ch.label, problem=e))
    if not channels:
        errors.append(tr("cần ít nhất một kênh tiếp nhận có thời hạn giải quyết"))
    components = []
    for i, comp in enumerate(data.get("components") or [], start=1):
        try:
            form = _FORMS[str(comp.get("form", "original")).strip().lower()]
            count = int(comp.get("count", 1))
            cname = clean(comp["name"])
            if count < 1 or not cname:
                raise ValueError
            components.append(Component(cname, form, count, bool(comp.get("required", True))))
        except (KeyError, ValueError, TypeError, AttributeError):
            errors.append(tr("thành phần hồ sơ thứ {n} không hợp lệ (tên, hình thức bản chính/bản chứng thực/bản photo, số lượng)").format(n=i))
    if errors:
        raise CatalogueError(errors)
    return Procedure(code, name, fld, level, agency, result, legal_basis, effective, source,
                     channels, tuple(components), int(data.get("version") or 1))


def _terms(raw: Mapping[str, Any]) -> ChannelTerms:
    amount = float(raw["time"])
    if amount < 0 or amount > 365:
        raise ValueError(tr("thời hạn phải từ 0 đến 365"))
    unit_raw = str(raw.get("unit", "working_days")).strip().lower()
    if unit_raw not in _UNITS:
        raise ValueError(tr("đơn vị thời gian \"{unit}\" không rõ (working_days hoặc calendar_days)").format(unit=unit_raw))
    cutoff = None
    if raw.get("cutoff"):
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(raw["cutoff"]).strip())
        if not m or int(m[1]) > 23 or int(m[2]) > 59:
            raise ValueError(tr("giờ cắt \"{value}\" không đúng dạng HH:MM").format(value=raw["cutoff"]))
        cutoff = time(int(m[1]), int(m[2]))
    fee = raw.get("fee") or 0
    try:
        fee = int(fee)
    except (TypeError, ValueError):
        raise ValueError(tr("lệ phí phải là số đồng")) from None
    if fee < 0:
        raise ValueError(tr("lệ phí không được âm"))
    return ChannelTerms(Deadline(amount, _UNITS[unit_raw], cutoff), fee, clean(str(raw.get("fee_note") or "")))


def procedure_to_dict(p: Procedure) -> dict[str, Any]:
    """The catalogue's JSON shape (what ``procedure_from_dict`` reads back)."""
    return {
        "code": p.code, "name": p.name, "field": p.field, "level": p.level, "agency": p.agency,
        "result": p.result, "legal_basis": p.legal_basis,
        "effective_from": p.effective_from.isoformat(), "source": p.source, "version": p.version,
        "channels": {
            ch.value: {
                "time": _num(t.deadline.amount), "unit": t.deadline.unit.value,
                "cutoff": t.deadline.cutoff.strftime("%H:%M") if t.deadline.cutoff else None,
                "fee": t.fee, "fee_note": t.fee_note,
            } for ch, t in p.channels.items()
        },
        "components": [
            {"name": c.name, "form": c.form.value, "count": c.count, "required": c.required}
            for c in p.components
        ],
    }


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def describe_deadline(d: Deadline) -> str:
    """"05 ngày làm việc", "Trong ngày" ... for the receipt."""
    if d.amount <= 0:
        text = tr("Trong ngày làm việc")
    elif d.unit is TimeUnit.WORKING_DAYS:
        text = tr("{n} ngày làm việc").format(n=_fmt_amount(d.amount))
    else:
        text = tr("{n} ngày").format(n=_fmt_amount(d.amount))
    if d.cutoff:
        text += tr(" (tiếp nhận sau {hour} trả vào ngày làm việc tiếp theo)").format(hour=d.cutoff.strftime("%H:%M"))
    return text


def _fmt_amount(x: float) -> str:
    return ("%02d" % x) if float(x).is_integer() else ("%g" % x).replace(".", ",")

"""Administrative procedures (thủ tục hành chính) as the catalogue describes them."""

from __future__ import annotations

import enum
import re
import unicodedata
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


class ComponentUse(str, enum.Enum):
    """What happens to a paper at the counter: handed in and kept with the dossier, or only
    shown for checking and handed back (the ID card). A shown paper is not printed on the
    receipt as a handed-in original."""

    SUBMIT = "submit"
    SHOW = "show"

    @property
    def label(self) -> str:
        return {ComponentUse.SUBMIT: tr("Nộp"), ComponentUse.SHOW: tr("Xuất trình để đối chiếu")}[self]


@dataclass(frozen=True)
class Fee:
    """One fee or charge of a case on one channel.

    ``amount`` None: the amount is to be confirmed (chưa xác định, "theo quy định", a
    provincial resolution not checked): shown as such, never printed as what a dossier owes.
    """

    name: str
    amount: int | None
    basis: str = ""      # the legal text that sets it
    note: str = ""       # "mỗi bản sao", "miễn khi nộp trực tuyến"...

    @property
    def to_confirm(self) -> bool:
        return self.amount is None


@dataclass(frozen=True)
class ChannelTerms:
    deadline: Deadline
    fees: tuple[Fee, ...] = ()

    @property
    def fee_to_confirm(self) -> bool:
        return any(f.to_confirm for f in self.fees)

    @property
    def fee_due(self) -> int | None:
        """What a dossier owes on these terms, when every amount is certain (0: nothing)."""
        if self.fee_to_confirm:
            return None
        return sum(f.amount or 0 for f in self.fees)

    @property
    def fee(self) -> int:
        """The certain part of the fees (đồng); see ``describe_fees`` for what to show."""
        return sum(f.amount or 0 for f in self.fees)

    @property
    def fee_note(self) -> str:
        return describe_fees(self) if self.fees else ""


@dataclass(frozen=True)
class Case:
    """A case (trường hợp) within a procedure, with its own time and fees per channel
    (building permit: a private house 7 working days, other works 9)."""

    key: str             # stable within the procedure; "" for a procedure with one case
    name: str
    channels: Mapping[Channel, ChannelTerms]


@dataclass(frozen=True)
class Component:
    name: str
    form: PaperForm = PaperForm.ORIGINAL
    count: int = 1
    required: bool = True
    use: ComponentUse = ComponentUse.SUBMIT

    @property
    def shown(self) -> bool:
        return self.use is ComponentUse.SHOW

    def joins_dossier_as(self, channel: Channel) -> PaperForm | None:
        """The form in which this paper joins the dossier on ``channel``; None when it is only
        shown at the counter and handed back. Sent by post, a paper to show travels as a
        certified copy (the portal's pages: "gửi kèm theo bản sao có chứng thực các giấy tờ
        phải xuất trình")."""
        if not self.shown:
            return self.form
        return PaperForm.CERTIFIED_COPY if channel is Channel.POST else None


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
    cases: tuple[Case, ...]
    components: tuple[Component, ...] = ()
    version: int = 1
    field_code: str = ""           # the national field code (MaLinhVuc), when known

    @property
    def channels(self) -> Mapping[Channel, ChannelTerms]:
        """The channels of the first case (the only one of most procedures)."""
        return self.cases[0].channels if self.cases else {}

    @property
    def has_cases(self) -> bool:
        """Whether the clerk must choose a case at intake."""
        return len(self.cases) > 1

    def case(self, key: str | None) -> Case | None:
        """The case of ``key`` ("" or None: the first, when the procedure has a single case)."""
        if not key:
            return self.cases[0] if len(self.cases) == 1 else None
        return next((c for c in self.cases if c.key == key), None)

    def terms(self, channel: Channel, case: str | None = None) -> ChannelTerms | None:
        """The time and fees of ``case`` on ``channel``: the one rule the due date comes from.

        Without a case, a procedure with several cases answers with its first case's terms
        (what to show before the clerk has chosen); intake requires the choice."""
        chosen = self.case(case) if case else self.cases[0] if self.cases else None
        return chosen.channels.get(channel) if chosen is not None else None

    def all_channels(self) -> list[Channel]:
        """Every channel some case accepts, in the enum's order."""
        return [ch for ch in Channel if any(ch in c.channels for c in self.cases)]


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
_USES = {"submit": ComponentUse.SUBMIT, "nộp": ComponentUse.SUBMIT, "": ComponentUse.SUBMIT,
         "show": ComponentUse.SHOW, "xuất trình": ComponentUse.SHOW}

CASE_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
FIELD_CODE = re.compile(r"^[A-Za-z0-9.\-_]{1,40}$")
MAX_FEE = 1_000_000_000          # đồng: above this an amount is a typing error
MAX_CASES = 20
MAX_FEES = 10

# Catalogue files of format 1 had one fee per channel with a free note. A note that says the
# amount is indicative or set elsewhere makes the fee "to be confirmed" when such a file is read.
_UNCERTAIN_NOTE = re.compile(r"tham\s*khảo|dự\s*kiến|chưa\s*xác\s*định|theo\s*quy\s*định|"
                             r"theo\s*nq|theo\s*nghị\s*quyết|mức\s*theo", re.IGNORECASE)
# ... and a paper whose name says it is shown for checking is a shown paper.
_SHOWN_NAME = re.compile(r"xuất\s*trình\s*để\s*đối\s*chiếu", re.IGNORECASE)

FEE_NAME_DEFAULT = "Phí, lệ phí"
MAX_TEXT = 2000                  # one text of an entry (a legal basis is the longest)


def _plain(value: str) -> bool:
    """A text fit to store and print: no control character (NUL...), no lone surrogate, bounded."""
    return len(value) <= MAX_TEXT and not any(unicodedata.category(c) in ("Cc", "Cs") for c in value)


def procedure_from_dict(data: Mapping[str, Any]) -> Procedure:
    """Build a procedure from the catalogue's JSON shape, checking every field.

    Reads format 2 (``cases``, ``fees``, ``use``) and format 1 (one ``channels`` table with
    ``fee``/``fee_note``), which becomes one case. Raises ``CatalogueError`` listing every
    problem found, not just the first.
    """
    errors: list[str] = []

    def text(key: str, required: bool = True) -> str:
        value = clean(str(data.get(key) or ""))
        if required and not value:
            errors.append(tr("thiếu trường \"{field}\"").format(field=key))
        if not _plain(value):
            errors.append(tr("trường \"{field}\" có ký tự không hợp lệ hoặc quá dài").format(field=key))
            value = ""
        return value

    code = text("code").upper()
    if code and not PROCEDURE_CODE.match(code):
        errors.append(tr("mã thủ tục \"{code}\" không đúng dạng d.dddddd").format(code=code))
    name, fld, level = text("name"), text("field"), text("level")
    agency, result = text("agency", False), text("result")
    legal_basis, source = text("legal_basis", False), text("source")
    field_code = text("field_code", False)
    if field_code and not FIELD_CODE.match(field_code):
        errors.append(tr("mã lĩnh vực \"{code}\" chỉ gồm chữ, số, dấu chấm, gạch").format(code=field_code[:40]))
    effective = date(2025, 7, 1)
    raw_eff = data.get("effective_from")
    if raw_eff:
        try:
            effective = date.fromisoformat(str(raw_eff)[:10])
        except ValueError:
            errors.append(tr("ngày hiệu lực \"{value}\" không đúng dạng YYYY-MM-DD").format(value=str(raw_eff)[:40]))
    cases: list[Case] = []
    raw_cases = data.get("cases")
    if raw_cases is None:  # format 1: one table of channels
        raw_cases = [{"key": "", "name": "", "channels": data.get("channels") or {}}]
    if not isinstance(raw_cases, list) or not raw_cases:
        errors.append(tr("\"cases\" phải là danh sách các trường hợp"))
        raw_cases = []
    if len(raw_cases) > MAX_CASES:
        errors.append(tr("quá {n} trường hợp").format(n=MAX_CASES))
        raw_cases = raw_cases[:MAX_CASES]
    keys: set[str] = set()
    for i, raw in enumerate(raw_cases, start=1):
        if not isinstance(raw, Mapping):
            errors.append(tr("trường hợp thứ {n} không hợp lệ").format(n=i))
            continue
        key = clean(str(raw.get("key") or "")).lower()
        cname = clean(str(raw.get("name") or ""))
        if not _plain(cname) or len(cname) > 300:
            errors.append(tr("trường hợp thứ {n} không hợp lệ").format(n=i))
            cname = ""
        where = tr("trường hợp \"{name}\"").format(name=cname or key) if len(raw_cases) > 1 else ""
        if len(raw_cases) > 1 and (not key or not cname):
            errors.append(tr("trường hợp thứ {n} cần mã (key) và tên").format(n=i))
        if key and not CASE_KEY.match(key):
            errors.append(tr("mã trường hợp \"{key}\" chỉ gồm chữ thường không dấu, số, - và _").format(key=key[:40]))
        if key in keys:
            errors.append(tr("mã trường hợp \"{key}\" bị trùng").format(key=key))
        keys.add(key)
        channels = _channels(raw.get("channels"), errors, where)
        cases.append(Case(key, cname, channels))
    components = []
    raw_components = data.get("components") or []
    if not isinstance(raw_components, list):
        errors.append(tr("\"components\" phải là danh sách"))
        raw_components = []
    for i, comp in enumerate(raw_components, start=1):
        try:
            form = _FORMS[str(comp.get("form", "original")).strip().lower()]
            count = int(comp.get("count", 1))
            cname = clean(comp["name"])
            if not 1 <= count <= 99 or not cname or not _plain(cname):
                raise ValueError
            use_raw = comp.get("use")
            if use_raw is None:  # format 1: the name said it
                use = ComponentUse.SHOW if _SHOWN_NAME.search(cname) else ComponentUse.SUBMIT
            else:
                use = _USES[str(use_raw).strip().lower()]
            components.append(Component(cname, form, count, bool(comp.get("required", True)), use))
        except (KeyError, ValueError, TypeError, AttributeError, OverflowError):
            errors.append(tr("thành phần hồ sơ thứ {n} không hợp lệ (tên, hình thức bản chính/bản chứng thực/bản photo, số lượng, nộp/xuất trình)").format(n=i))
    try:
        version = int(data.get("version") or 1)
        if not 1 <= version <= 1_000_000:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        errors.append(tr("phiên bản phải là số nguyên dương"))
        version = 1
    if errors:
        raise CatalogueError(errors)
    return Procedure(code, name, fld, level, agency, result, legal_basis, effective, source,
                     tuple(cases), tuple(components), version, field_code)


def _channels(raw_channels: Any, errors: list[str], where: str) -> dict[Channel, ChannelTerms]:
    prefix = where + ", " if where else ""
    channels: dict[Channel, ChannelTerms] = {}
    if not isinstance(raw_channels, Mapping):
        errors.append(prefix + tr("\"channels\" phải là một bảng theo kênh"))
        raw_channels = {}
    for ch in Channel:
        terms = raw_channels.get(ch.value)
        if not terms:
            continue
        try:
            channels[ch] = _terms(terms)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as e:
            errors.append(prefix + tr("kênh {channel}: {problem}").format(channel=ch.label, problem=e))
    if not channels:
        errors.append(prefix + tr("cần ít nhất một kênh tiếp nhận có thời hạn giải quyết"))
    return channels


def _terms(raw: Mapping[str, Any]) -> ChannelTerms:
    amount = float(raw["time"])
    if not (0 <= amount <= 365):  # NaN fails too
        raise ValueError(tr("thời hạn phải từ 0 đến 365"))
    unit_raw = str(raw.get("unit", "working_days")).strip().lower()
    if unit_raw not in _UNITS:
        raise ValueError(tr("đơn vị thời gian \"{unit}\" không rõ (working_days hoặc calendar_days)").format(unit=unit_raw[:40]))
    cutoff = None
    if raw.get("cutoff"):
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(raw["cutoff"]).strip())
        if not m or int(m[1]) > 23 or int(m[2]) > 59:
            raise ValueError(tr("giờ cắt \"{value}\" không đúng dạng HH:MM").format(value=str(raw["cutoff"])[:20]))
        cutoff = time(int(m[1]), int(m[2]))
    if "fees" in raw:
        raw_fees = raw.get("fees") or []
        if not isinstance(raw_fees, list) or len(raw_fees) > MAX_FEES:
            raise ValueError(tr("\"fees\" phải là danh sách (tối đa {n} khoản)").format(n=MAX_FEES))
        fees = tuple(_fee(f) for f in raw_fees)
    else:  # format 1
        fees = _old_fee(raw.get("fee"), raw.get("fee_note"))
    return ChannelTerms(Deadline(amount, _UNITS[unit_raw], cutoff), fees)


def _amount(value: Any) -> int | None:
    """A fee amount in đồng; None, "" or "?" = to be confirmed."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "?")):
        return None
    if isinstance(value, bool):
        raise ValueError(tr("lệ phí phải là số đồng"))
    if isinstance(value, str):
        value = value.strip().replace(".", "").replace(" ", "")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(tr("lệ phí phải là số đồng")) from None
    if number != number or not number.is_integer():
        raise ValueError(tr("lệ phí phải là số đồng"))
    if number < 0:
        raise ValueError(tr("lệ phí không được âm"))
    if number > MAX_FEE:
        raise ValueError(tr("lệ phí quá lớn"))
    return int(number)


def _fee(raw: Any) -> Fee:
    if not isinstance(raw, Mapping):
        raise ValueError(tr("mỗi khoản phí cần tên và số tiền"))
    name = clean(str(raw.get("name") or "")) or FEE_NAME_DEFAULT
    texts = [name, clean(str(raw.get("basis") or "")), clean(str(raw.get("note") or ""))]
    if not all(_plain(t) and len(t) <= 500 for t in texts):
        raise ValueError(tr("tên, căn cứ hoặc ghi chú của khoản phí có ký tự không hợp lệ hoặc quá dài"))
    return Fee(texts[0], _amount(raw.get("amount")), texts[1], texts[2])


def _old_fee(fee: Any, note: Any) -> tuple[Fee, ...]:
    note = clean(str(note or ""))
    if not _plain(note) or len(note) > 500:
        raise ValueError(tr("tên, căn cứ hoặc ghi chú của khoản phí có ký tự không hợp lệ hoặc quá dài"))
    amount = _amount(fee if fee not in (None, "") else 0)
    if not amount and not note:
        return ()
    if _UNCERTAIN_NOTE.search(note):
        return (Fee(FEE_NAME_DEFAULT, None, "", (tr("mức tham khảo {amount} đồng").format(amount=format_money(amount)) + "; " if amount else "") + note),)
    return (Fee(FEE_NAME_DEFAULT, amount, "", note),)


def procedure_to_dict(p: Procedure) -> dict[str, Any]:
    """The catalogue's JSON shape, format 2 (what ``procedure_from_dict`` reads back)."""
    d: dict[str, Any] = {
        "code": p.code, "name": p.name, "field": p.field, "level": p.level, "agency": p.agency,
        "result": p.result, "legal_basis": p.legal_basis,
        "effective_from": p.effective_from.isoformat(), "source": p.source, "version": p.version,
    }
    if p.field_code:
        d["field_code"] = p.field_code
    d["cases"] = [{"key": c.key, "name": c.name, "channels": {
        ch.value: {
            "time": _num(t.deadline.amount), "unit": t.deadline.unit.value,
            "cutoff": t.deadline.cutoff.strftime("%H:%M") if t.deadline.cutoff else None,
            "fees": [{"name": f.name, "amount": f.amount, "basis": f.basis, "note": f.note} for f in t.fees],
        } for ch, t in c.channels.items()}} for c in p.cases]
    d["components"] = [
        {"name": c.name, "form": c.form.value, "count": c.count, "required": c.required, "use": c.use.value}
        for c in p.components]
    return d


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def format_money(amount: int) -> str:
    """12000 -> "12.000"."""
    return "{:,}".format(int(amount)).replace(",", ".")


def describe_fee(f: Fee) -> str:
    """One fee as the screens and pages show it: "Lệ phí: 75.000 đồng (mỗi giấy phép; Thông tư
    85/2019/TT-BTC)", or "… : chưa xác định mức thu" when it is to be confirmed."""
    if f.amount is None:
        amount = tr("theo quy định (chưa xác định mức thu)")
    elif f.amount == 0:
        amount = tr("không thu")
    else:
        amount = tr("{amount} đồng").format(amount=format_money(f.amount))
    extra = "; ".join(x for x in (f.note, f.basis) if x)
    return "%s: %s" % (f.name, amount) + (" (%s)" % extra if extra else "")


def describe_fees(terms: ChannelTerms | None) -> str:
    """Every fee of a case on a channel, one text (screens, pages, exports); never a certain
    amount for a fee that is to be confirmed."""
    if terms is None:
        return tr("không tiếp nhận qua kênh này")
    if not terms.fees:
        return tr("Không thu phí, lệ phí")
    return "; ".join(describe_fee(f) for f in terms.fees)


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

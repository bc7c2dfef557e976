"""The fee actually charged for a dossier, as recorded at the counter, and the receipt's fee line.

The catalogue says what a case costs on a channel (``procedures.ChannelTerms.fees``), and that
amount may be "to be confirmed". What one dossier owes is what the counter records: the amount,
the fee receipt's number (biên lai thu phí, lệ phí) and whether it was paid, exempted or is to be
paid later. It travels in the RECEIVED event (paid at intake, the usual "thu trước") or in the
PAYMENT_RECEIVED event (paid after a payment request), as the payload's ``fee`` object.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .i18n import tr
from .identity import InvalidValue
from .procedures import MAX_FEE, ChannelTerms, format_money
from .text import clean


class FeeStatus(str, enum.Enum):
    PAID = "paid"          # đã nộp (a fee receipt was issued)
    EXEMPT = "exempt"      # miễn (by law: on-time birth registration, poor households...)
    LATER = "later"        # nộp sau (when the result is collected, or on a payment request)

    @property
    def label(self) -> str:
        return {FeeStatus.PAID: tr("Đã nộp"), FeeStatus.EXEMPT: tr("Miễn"),
                FeeStatus.LATER: tr("Nộp sau")}[self]

    @property
    def dvcqg(self) -> int:
        """HinhThucThu of DanhSachLePhi [unverified codes]: 1 collected, 2 exempt, 3 later."""
        return {FeeStatus.PAID: 1, FeeStatus.EXEMPT: 2, FeeStatus.LATER: 3}[self]


@dataclass(frozen=True)
class FeeCharged:
    amount: int            # đồng; 0 when exempt
    status: FeeStatus
    receipt_no: str = ""   # số biên lai
    note: str = ""         # the ground of an exemption, who pays later...

    def to_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "status": self.status.value, "receipt_no": self.receipt_no,
                "note": self.note}


RECEIPT_NO = re.compile(r"^[0-9A-Za-z./\-]{1,30}$")
MAX_NOTE = 300


def parse_amount(text: str) -> int:
    """"50.000", "50000", "50 000 đ" -> 50000; InvalidValue in Vietnamese otherwise."""
    raw = clean(str(text or "")).lower().replace("đồng", "").replace("đ", "")
    raw = re.sub(r"[\s.,]", "", raw)
    if not raw:
        raise InvalidValue(tr("Chưa nhập số tiền phí, lệ phí."))
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise InvalidValue(tr("Số tiền phải là số đồng, ví dụ 50.000."))
    amount = int(raw)
    if amount > MAX_FEE:
        raise InvalidValue(tr("Số tiền quá lớn."))
    return amount


def check_fee(status: str, amount: str = "", receipt_no: str = "", note: str = "") -> FeeCharged | None:
    """What a clerk typed about the fee; None when nothing was recorded (status "").

    Paid needs an amount above zero and the fee receipt's number; exempt records 0 and needs
    its ground; later needs the amount."""
    status = clean(str(status or ""))
    if not status:
        return None
    try:
        st = FeeStatus(status)
    except ValueError:
        raise InvalidValue(tr("Tình trạng thu phí không hợp lệ.")) from None
    note = clean(str(note or ""))
    if len(note) > MAX_NOTE:
        raise InvalidValue(tr("Ghi chú về phí quá dài (tối đa {n} ký tự).").format(n=MAX_NOTE))
    receipt_no = clean(str(receipt_no or ""))
    if st is FeeStatus.EXEMPT:
        if not note:
            raise InvalidValue(tr("Ghi lý do miễn phí, lệ phí."))
        return FeeCharged(0, st, "", note)
    value = parse_amount(amount)
    if st is FeeStatus.PAID:
        if value == 0:
            raise InvalidValue(tr("Đã nộp thì số tiền phải lớn hơn 0; không thu thì chọn \"Miễn\"."))
        if not receipt_no:
            raise InvalidValue(tr("Chưa nhập số biên lai thu phí, lệ phí."))
    if receipt_no and not RECEIPT_NO.match(receipt_no):
        raise InvalidValue(tr("Số biên lai chỉ gồm chữ, số và . / - (tối đa 30 ký tự)."))
    return FeeCharged(value, st, receipt_no, note)


def from_json(data: Any) -> FeeCharged | None:
    """The ``fee`` object of an event's payload (None if absent or not understood)."""
    if not isinstance(data, Mapping):
        return None
    try:
        amount = data.get("amount")
        status = FeeStatus(str(data.get("status")))
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_FEE:
            return None
        return FeeCharged(amount, status, clean(str(data.get("receipt_no") or ""))[:30],
                          clean(str(data.get("note") or ""))[:MAX_NOTE])
    except ValueError:
        return None


def charged(events: Iterable[Any]) -> FeeCharged | None:
    """The fee recorded for a dossier: the last ``fee`` written by its RECEIVED or
    PAYMENT_RECEIVED events (objects with ``kind`` and ``payload``), in their order."""
    found = None
    for e in events:
        kind = getattr(e.kind, "value", e.kind)
        if kind in ("received", "payment_received"):
            fee = from_json((e.payload or {}).get("fee"))
            if fee is not None:
                found = fee
    return found


CASE_KINDS = ("received", "accepted_online")


def case_chosen(events: Iterable[Any]) -> str:
    """The case of the procedure chosen for a dossier: at intake (RECEIVED) or when the counter
    accepted an online submission (ACCEPTED_ONLINE); "" for a procedure with one case."""
    found = ""
    for e in events:
        if getattr(e.kind, "value", e.kind) in CASE_KINDS:
            case = (e.payload or {}).get("case")
            if isinstance(case, str) and case:
                found = case
    return found


def fee_line(fee: FeeCharged | None, terms: ChannelTerms | None = None) -> str:
    """The receipt's fee line: what THIS dossier owes.

    The fee recorded at the counter when there is one ("50.000 đồng, đã nộp, biên lai số 0012");
    else the catalogue's amount for the dossier's case and channel when every part of it is
    certain; else "" so that the clerk fills the line in by hand: an amount to be confirmed is
    never printed as if certain."""
    if fee is not None:
        if fee.status is FeeStatus.EXEMPT:
            return tr("Miễn ({why})").format(why=fee.note) if fee.note else tr("Miễn")
        text = tr("{amount} đồng").format(amount=format_money(fee.amount))
        if fee.status is FeeStatus.PAID:
            text += ", " + (tr("đã nộp, biên lai số {number}").format(number=fee.receipt_no)
                            if fee.receipt_no else tr("đã nộp"))
        else:
            text += ", " + tr("nộp sau")
        return text
    if terms is None:
        return ""
    due = terms.fee_due
    if due is None:
        return ""
    if due == 0:
        return tr("Không thu")
    return tr("{amount} đồng").format(amount=format_money(due))

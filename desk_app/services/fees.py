"""The fee charged for a dossier, read from its events, and the receipt's fee line.

The forms (the receipt) and the national export call these, so that what a dossier owes is
worked out in one place: ``domain.fees``.
"""

from __future__ import annotations

from sqlalchemy import select

from ..domain import fees
from ..domain.i18n import tr
from ..domain.identity import InvalidValue
from ..domain.procedures import Channel, ChannelTerms, procedure_from_dict
from ..storage.models import EventRow
from .context import ServiceError

FEE_KINDS = ("received", "payment_received")


def charged(session, code: str) -> fees.FeeCharged | None:
    """The fee recorded at the counter for dossier ``code`` (intake or payment), or None."""
    rows = session.scalars(select(EventRow).where(EventRow.dossier_code == code, EventRow.kind.in_(FEE_KINDS))
                           .order_by(EventRow.server_seq.is_(None), EventRow.server_seq, EventRow.seq)).all()
    return fees.charged(rows)


def case_of(session, code: str) -> str:
    """The case chosen for dossier ``code`` (``domain.fees.case_chosen``)."""
    rows = session.scalars(select(EventRow).where(EventRow.dossier_code == code, EventRow.kind.in_(fees.CASE_KINDS))
                           .order_by(EventRow.server_seq.is_(None), EventRow.server_seq, EventRow.seq)).all()
    return fees.case_chosen(rows)


def request_text(session, dossier) -> str:
    """What the citizen asks for ("Nội dung yêu cầu giải quyết"): the procedure's name, and the
    case chosen at intake when the procedure has several ("…, trường hợp: Nhà ở riêng lẻ")."""
    try:
        proc = procedure_from_dict(dossier.procedure.data)
    except (ValueError, TypeError):
        return dossier.procedure.name
    case = proc.case(case_of(session, dossier.code)) if proc.has_cases else None
    return proc.name + (tr(", trường hợp: {case}").format(case=case.name) if case is not None else "")


def terms_of(session, dossier) -> ChannelTerms | None:
    """The catalogue's terms (time, fees) of the dossier's procedure version, case and channel."""
    try:
        proc = procedure_from_dict(dossier.procedure.data)
        return proc.terms(Channel(dossier.channel), case_of(session, dossier.code) or None)
    except (ValueError, TypeError):
        return None


def fee_line(session, dossier) -> str:
    """The receipt's fee line for ``dossier`` (a storage Dossier): see ``domain.fees.fee_line``."""
    return fees.fee_line(charged(session, dossier.code), terms_of(session, dossier))


def paid(amount: int | str, receipt_no: str, note: str = "") -> fees.FeeCharged:
    """A fee paid at the counter, as a step's form gives it; ServiceError in Vietnamese if not."""
    try:
        fee = fees.check_fee(fees.FeeStatus.PAID.value, str(amount), receipt_no, note)
    except InvalidValue as e:
        raise ServiceError(str(e)) from None
    assert fee is not None
    return fee

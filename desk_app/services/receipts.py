"""The receipt (Mẫu 01): build its data from a dossier, render, keep, reprint with a new key."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..domain import lifecycle
from ..domain.codes import capability_url, new_key
from ..domain.dossier import EventKind
from ..domain.i18n import N_, tr
from ..domain.procedures import PaperForm, describe_deadline
from ..domain.receipt import ReceiptData, ReceiptLine, register_number
from ..domain.roles import Action
from ..storage import repositories as repo
from . import fees as fee_service
from . import forms
from .context import CurrentUser, DeskContext, ServiceError, require

HINT = N_("Quét mã QR bằng Zalo hoặc camera điện thoại, hoặc tại kiosk của Bộ phận Một cửa, "
          "để xem tiến độ giải quyết hồ sơ.")


NOT_RECEIVED = N_("Hồ sơ {code} nộp trực tuyến chưa được tiếp nhận nên không có giấy tiếp nhận: "
                  "giấy tiếp nhận chỉ có khi cán bộ tiếp nhận hồ sơ.")


def refusal(code: str, stage: str) -> str | None:
    """Why dossier ``code``, in ``stage``, can have no receipt (None if it can): an online
    submission not accepted, waiting for the check or ended before it, was never received; a
    receipt would give its submission time as the time of receipt and an appointment it never had."""
    return tr(NOT_RECEIVED).format(code=code) if lifecycle.never_received(stage) else None


def receipt_data(session, dossier) -> ReceiptData:
    agency = repo.get_agency(session)
    terms = fee_service.terms_of(session, dossier)   # the case chosen at intake, on its channel
    if dossier.collect_by_post:
        collect = tr("Tại nhà (trụ sở tổ chức) qua dịch vụ bưu chính công ích")
    else:
        collect = "%s, %s" % (repo.get_setting(session, "counter_location"), agency.address)
    party = forms.party_of(dossier)
    proxy = forms.proxy_of(dossier)
    return ReceiptData(
        parent_agency=agency.parent_name.upper(), agency_name=agency.name.upper(), place=agency.place,
        dossier_code=dossier.code, owner_name=dossier.owner_name, id_number=dossier.owner_id_number,
        address=party.address, phone=party.phone, email=party.email, procedure_name=fee_service.request_text(session, dossier),
        components=tuple(ReceiptLine(c["name"], PaperForm(c["form"]).label, c["count"]) for c in dossier.components),
        sets=dossier.sets, legal_time=describe_deadline(terms.deadline) if terms else "",
        received_at=dossier.received_at, due_at=dossier.first_due_at or dossier.due_at,
        collect_at=collect, fee=fee_service.fee_line(session, dossier),  # what this dossier owes
        register_book=dossier.register_book, register_number=register_number(dossier.code),
        submitter_name=(proxy or dossier.owner)["name"], clerk_name=dossier.clerk.full_name,
        capability_url=capability_url(agency.public_base_url, dossier.code, dossier.capability_key),
        check_progress_hint=tr(HINT), id_label=party.id_label, organisation=party.organisation,
        proxy_name=proxy["name"] if proxy else "", proxy_id_number=proxy.get("id_number", "") if proxy else "")


def produce(ctx: DeskContext, user: CurrentUser, code: str, replace_key: bool = False,
            out: Path | None = None) -> Path:
    """Render the dossier's receipt, keep it with the dossier, and record the print.

    With ``replace_key`` the capability key is replaced first: the old QR stops working.
    """
    from ..documents.receipt import render_receipt  # reportlab is loaded only when printing

    require(user, Action.PRINT_RECEIPT)
    now = ctx.clock().replace(microsecond=0)
    with ctx.db.session() as s:
        dossier = repo.dossier_by_code(s, code)
        if dossier is None:
            raise ServiceError(tr("Không tìm thấy hồ sơ {code}.").format(code=code))
        why = refusal(dossier.code, dossier.stage)
        if why:
            raise ServiceError(why)
        if replace_key:
            dossier.capability_key = new_key()
            repo.append_event(s, dossier, EventKind.KEY_REPLACED,
                              {"key_sha256": hashlib.sha256(dossier.capability_key.encode()).hexdigest()},
                              user.username, ctx.desk_id, now)
        data = receipt_data(s, dossier)
        paper = repo.get_setting(s, "paper_size")
        kept = forms.kept_path(ctx.receipts_dir, dossier, now)
        render_receipt(data, kept, paper=paper)
        dossier.receipt_path = str(kept)
        repo.append_event(s, dossier, EventKind.RECEIPT_PRINTED,
                          {"file": kept.name, "paper": paper, "key_replaced": replace_key},
                          user.username, ctx.desk_id, now)
    if out is not None:
        out = Path(out)
        out.write_bytes(kept.read_bytes())
        return out
    return kept

"""The register (Sổ theo dõi hồ sơ) and the statistics as XLSX and PDF files."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ..domain.dossier import EventKind, Status
from ..domain.forms import RegisterData, RegisterRow, StatisticsTable
from ..domain.i18n import tr
from ..domain.receipt import register_number
from ..domain.roles import Action
from ..storage.models import Dossier, EventRow
from . import forms, indicators, statistics
from .context import CurrentUser, DeskContext, ServiceError, require


def _period(start: date, end: date) -> str:
    return tr("Từ ngày {a} đến ngày {b}").format(a=start.strftime("%d/%m/%Y"), b=end.strftime("%d/%m/%Y"))


def register(ctx: DeskContext, user: CurrentUser, start: date, end: date) -> RegisterData:
    """Every dossier received in the period, in the order of the book."""
    require(user, Action.VIEW_DOSSIERS)
    t0 = datetime.combine(start, datetime.min.time())
    t1 = datetime.combine(end + timedelta(days=1), datetime.min.time())
    with ctx.db.session(write=False) as s:
        dossiers = s.scalars(select(Dossier).where(Dossier.received_at >= t0, Dossier.received_at < t1)
                             .order_by(Dossier.received_at, Dossier.id)).unique().all()
        codes = [d.code for d in dossiers]
        proxies = {}  # who took the result for the owner, where it was not the owner
        for code, payload in s.execute(select(EventRow.dossier_code, EventRow.payload)
                                       .where(EventRow.kind == EventKind.RETURNED.value,
                                              EventRow.dossier_code.in_(codes))):
            if payload.get("proxy"):
                proxies[code] = payload["proxy"]["name"] + tr(" (ủy quyền)")
        rows = []
        for d in dossiers:  # TT: the receipt's "Số thứ tự", from the code's leased number
            taker = proxies.get(d.code, d.owner_name) if d.returned_at else ""
            rows.append(RegisterRow(register_number(d.code), d.code, d.procedure.name, d.sets, d.owner_name, d.owner.get("address", ""),
                                    d.owner_phone, d.received_at, d.due_at,  # the legal appointment
                                    d.finished_at if Status(d.status) in (Status.RESULT_READY, Status.RETURNED) else None,
                                    d.returned_at, taker, d.notes))
        return RegisterData(forms.header(s, ctx.clock()), _period(start, end), tuple(rows))


def export_register(ctx: DeskContext, user: CurrentUser, start: date, end: date, path: Path | str) -> Path:
    """Write the register as .xlsx or .pdf (by the file's suffix)."""
    from ..documents.register import render_register_pdf, write_register_xlsx
    data = register(ctx, user, start, end)
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_register_xlsx(data, path)
    if path.suffix.lower() == ".pdf":
        return render_register_pdf(data, path)
    raise ServiceError(tr("Chỉ xuất được tệp .xlsx hoặc .pdf."))


def statistics_table(ctx: DeskContext, report: statistics.Report) -> StatisticsTable:
    columns, rows, total = statistics.as_table(report)
    with ctx.db.session(write=False) as s:
        head = forms.header(s, ctx.clock())
    title = tr("BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THEO {group}").format(group=report.group_by.label.upper())
    return StatisticsTable(head, title, _period(report.start, report.end), tuple(columns),
                           tuple(tuple(r) for r in rows), tuple(total))


def indicators_table(ctx: DeskContext, report: indicators.IndicatorReport) -> StatisticsTable:
    """The Decision 766 indicators per unit, as a table for the exports."""
    columns, rows, total = indicators.as_table(report)
    with ctx.db.session(write=False) as s:
        head = forms.header(s, ctx.clock())
    return StatisticsTable(head, tr("CHỈ SỐ ĐÁNH GIÁ CHẤT LƯỢNG PHỤC VỤ THEO ĐƠN VỊ"), _period(report.start, report.end), tuple(columns),
                           tuple(tuple(r) for r in rows), tuple(total))


def indicator_notes() -> list[str]:
    """The footnote under the indicators: where the formulas come from, what they leave out."""
    return [tr("Chỉ số theo Quyết định 766/QĐ-TTg, công thức như Cổng Dịch vụ công quốc gia tính; "
               "đúng hạn, trước hạn, quá hạn theo ngày hẹn trả theo quy định.")] + indicators.notes()


def export_statistics(ctx: DeskContext, user: CurrentUser, start: date, end: date,
                      group_by: statistics.GroupBy, path: Path | str) -> Path:
    """The statistics table, then the 766 indicators per unit (a second PDF section, a second sheet)."""
    from ..documents.statistics import render_statistics_pdf, write_statistics_xlsx
    table = statistics_table(ctx, statistics.compute(ctx, user, start, end, group_by))
    extra = indicators_table(ctx, indicators.compute(ctx, user, start, end))
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_statistics_xlsx(table, path, indicators=extra)
    if path.suffix.lower() == ".pdf":
        return render_statistics_pdf(table, path, indicators=extra, notes=indicator_notes())
    raise ServiceError(tr("Chỉ xuất được tệp .xlsx hoặc .pdf."))

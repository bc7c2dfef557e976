"""Plain-text helpers for the intake screen: the picked procedure's terms, money, dates."""

from __future__ import annotations

import html
from datetime import datetime

from ...domain.i18n import tr
from ...domain.procedures import Channel, Procedure, describe_deadline, describe_fees


def fee_text(procedure: Procedure, channel: Channel, case: str | None = None) -> str:
    """The catalogue's fees of the case on the channel; one to be confirmed never reads as certain."""
    return describe_fees(procedure.terms(channel, case))


def procedure_html(procedure: Procedure, channel: Channel, case: str | None = None) -> str:
    """The box under the picker: what was picked, how long it takes (for the chosen case), what it costs."""
    terms = procedure.terms(channel, case)
    time = describe_deadline(terms.deadline) if terms else tr("không tiếp nhận qua kênh này")
    about = tr("Lĩnh vực: {field} &nbsp;·&nbsp; Cấp thực hiện: {level}").format(
        field=html.escape(procedure.field), level=html.escape(procedure.level))
    if procedure.result:  # on the same line: the box stays short on a 768-px screen
        about += " &nbsp;·&nbsp; " + tr("Kết quả: {result}").format(result=html.escape(procedure.result))
    lines = [
        "<b>%s</b> &nbsp;·&nbsp; %s" % (html.escape(procedure.code), html.escape(procedure.name)),
        about,
        tr("Thời hạn giải quyết ({channel}): <b>{time}</b> &nbsp;·&nbsp; <b>{fee}</b>").format(
            channel=channel.label.lower(), time=html.escape(time), fee=html.escape(fee_text(procedure, channel, case))),
    ]
    return "<br>".join(lines)


def when(moment: datetime) -> str:
    """"14:30 ngày 05/11/2026", the way a receipt says it."""
    return tr("{time} ngày {date}").format(time=moment.strftime("%H:%M"), date=moment.strftime("%d/%m/%Y"))

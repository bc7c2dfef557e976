"""Plain-text helpers for the intake screen: the picked procedure's terms, money, dates."""

from __future__ import annotations

import html
from datetime import datetime

from ...domain.i18n import tr
from ...domain.procedures import Channel, Procedure, describe_deadline


def money(amount: int) -> str:
    """12000 -> "12.000 đồng"."""
    return tr("{amount} đồng").format(amount="{:,}".format(amount).replace(",", "."))


def fee_text(procedure: Procedure, channel: Channel) -> str:
    terms = procedure.terms(channel)
    if terms is None:
        return tr("không tiếp nhận qua kênh này")
    text = money(terms.fee) if terms.fee else tr("Không thu phí, lệ phí")
    return "%s (%s)" % (text, terms.fee_note) if terms.fee_note else text


def procedure_html(procedure: Procedure, channel: Channel) -> str:
    """The box under the picker: what was picked, how long it takes, what it costs."""
    terms = procedure.terms(channel)
    time = describe_deadline(terms.deadline) if terms else tr("không tiếp nhận qua kênh này")
    lines = [
        "<b>%s</b> &nbsp;·&nbsp; %s" % (html.escape(procedure.code), html.escape(procedure.name)),
        tr("Lĩnh vực: {field} &nbsp;·&nbsp; Cấp thực hiện: {level}").format(
            field=html.escape(procedure.field), level=html.escape(procedure.level)),
        tr("Thời hạn giải quyết ({channel}): <b>{time}</b> &nbsp;·&nbsp; Phí, lệ phí: <b>{fee}</b>").format(
            channel=channel.label.lower(), time=html.escape(time), fee=html.escape(fee_text(procedure, channel))),
    ]
    if procedure.result:
        lines.append(tr("Kết quả: {result}").format(result=html.escape(procedure.result)))
    return "<br>".join(lines)


def when(moment: datetime) -> str:
    """"14:30 ngày 05/11/2026", the way a receipt says it."""
    return tr("{time} ngày {date}").format(time=moment.strftime("%H:%M"), date=moment.strftime("%d/%m/%Y"))

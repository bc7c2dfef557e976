"""A dossier's notices to the citizen (Zalo, e-mail), as the central server sent them, and the
choice not to notify this citizen."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ...domain.i18n import tr
from ...domain.roles import Action, may
from ...services import notices
from ...services.context import CurrentUser, DeskContext
from ...services.notices import NoticesView
from ..tasks import TaskRunner


def notices_html(view: NoticesView) -> str:
    if not view.available:
        return "<p style='color:#52606d'>%s</p>" % html.escape(view.reason)
    head = (tr("Đã liên kết Zalo của công dân từ {when}.").format(when=view.linked_since.strftime("%H:%M %d/%m/%Y"))
            if view.zalo_linked and view.linked_since else
            tr("Đã liên kết Zalo của công dân.") if view.zalo_linked else tr("Chưa liên kết Zalo."))
    parts = ["<p>%s</p>" % html.escape(head)]
    if not view.notify:
        parts.append("<p><b>%s</b></p>" % html.escape(tr("Công dân đề nghị không nhận thông báo.")))
    if not view.notices:
        parts.append("<p style='color:#52606d'>%s</p>" % html.escape(tr("Chưa gửi thông báo nào.")))
        return "".join(parts)
    rows = ["<tr><th align='left'>%s</th><th align='left'>%s</th><th align='left'>%s</th><th align='left'>%s</th></tr>"
            % tuple(html.escape(t) for t in (tr("Nội dung"), tr("Cách gửi"), tr("Gửi đến"), tr("Tình trạng")))]
    for n in view.notices:
        state = n.status_label + (" · %s" % n.sent_at.strftime("%H:%M %d/%m/%Y") if n.sent_at else "")
        if n.status == "failed":
            state = "<b style='color:#b71c1c'>%s</b> (%s)" % (html.escape(state), html.escape(n.error))
        else:
            state = html.escape(state)
        rows.append("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
                    % (html.escape(n.what), html.escape(n.via), html.escape(n.recipient), state))
    parts.append("<table cellspacing='6'>%s</table>" % "".join(rows))
    return "".join(parts)


class NoticesTab(QWidget):
    """Loads when shown (it asks the server), never on the GUI thread."""

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner = ctx, user, runner
        self.code: str | None = None
        self.view: NoticesView | None = None
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.quiet = QCheckBox(tr("Không gửi thông báo cho công dân này (theo đề nghị của công dân)"))
        self.quiet.setVisible(may(user.role, Action.ANSWER_CITIZENS))
        self.quiet.setEnabled(False)
        self.quiet.toggled.connect(self._choose)
        self.status = QLabel()
        reload = QPushButton(tr("Tải lại"))
        reload.clicked.connect(self.load)
        row = QHBoxLayout()
        row.addWidget(self.quiet, 1)
        row.addWidget(reload)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)

    def show_dossier(self, code: str) -> None:
        self.code = code

    def load(self) -> None:
        if self.code is None:
            return
        code, ctx, user = self.code, self.ctx, self.user
        self.status.setText(tr("Đang hỏi máy chủ trung tâm ..."))
        self.runner.run(lambda: notices.for_dossier(ctx, user, code), on_done=self._loaded, parent=self)

    def _loaded(self, view: NoticesView) -> None:
        self.view = view
        self.status.setText("")
        self.text.setHtml(notices_html(view))
        self.quiet.blockSignals(True)
        self.quiet.setChecked(view.available and not view.notify)
        self.quiet.setEnabled(view.available)
        self.quiet.blockSignals(False)

    def _choose(self, quiet: bool) -> None:
        code, ctx, user = self.code, self.ctx, self.user
        self.runner.run(lambda: notices.set_notify(ctx, user, code, not quiet), on_done=lambda _: self.load(),
                        on_error=self._failed, parent=self)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
        self.load()

"""The steps of one dossier in the dossier window, as the user's role takes them.

At the counter: transfer, receive back, supplement brought, return, refuse, withdraw. In a
department (opened from the queue): the queue's own steps with the same F-keys (receive,
assign, forward, supplement, result, transfer, apologise, approve; the rarer ones in a menu).
Each button is enabled only when the user's role may take the step and the dossier is in a
state that allows it; the services check both again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QVBoxLayout, QWidget

from ...domain.dossier import EventKind, Status
from ...domain.i18n import tr
from ...domain.roles import Action, may
from ...services.context import CurrentUser, DeskContext
from ...services.counter import DossierDetails
from ..common.banner import Banner
from ..tasks import TaskRunner
from .catalogue import DEPARTMENT_KEYS, DEPARTMENT_MORE, STEPS, Target
from .flow import Preview, StepFlow

COUNTER_STEPS = ("transfer", "receive", "record_supplement", "return", "refuse", "withdraw")


def _labels() -> dict[str, str]:
    return {"transfer": tr("Chuyển đến đơn vị…"), "receive": tr("Nhận kết quả"),
            "record_supplement": tr("Ghi nhận bổ sung…"), "return": tr("Trả kết quả…"),
            "refuse": tr("Từ chối…"), "withdraw": tr("Rút hồ sơ…")}


def _in_transit(d: DossierDetails) -> bool:
    """Handed over and not yet received: the last hand-over event is a transfer."""
    moves = [h.kind for h in d.history if h.kind in (EventKind.TRANSFERRED, EventKind.ARRIVED)]
    return bool(moves) and moves[-1] is EventKind.TRANSFERRED


def _result_arrived(d: DossierDetails) -> bool:
    """The result came back and was received (at the counter): arrival after the result was ready."""
    kinds = [h.kind for h in d.history]
    if d.summary.status is not Status.RESULT_READY or EventKind.RESULT_READY not in kinds:
        return False
    after = kinds[len(kinds) - 1 - kinds[::-1].index(EventKind.RESULT_READY):]
    moves = [k for k in after if k in (EventKind.TRANSFERRED, EventKind.ARRIVED)]
    return bool(moves) and moves[-1] is EventKind.ARRIVED


def at_counter(user: CurrentUser) -> bool:
    """The counter's clerks work a dossier with the counter's steps; everyone else with the unit's."""
    return may(user.role, Action.INTAKE)


class CounterActions(QWidget):
    """``changed(code)`` after a step went through, so the dialog reloads the dossier."""

    changed = Signal(str)
    step_done = Signal(str, object)   # step key, StepResult

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, preview: Preview,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.user = user
        self.details: DossierDetails | None = None
        self.counter = at_counter(user)
        self.flow = StepFlow(ctx, user, runner, preview, self)
        self.flow.said.connect(self.say)
        self.flow.finished.connect(self._finished)
        self.banner = Banner()
        self.warning = Banner()
        self.buttons: dict[str, QPushButton] = {}
        self.more: dict[str, QAction] = {}
        self.more_button: QPushButton | None = None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if self.counter:
            labels = _labels()
            for key in COUNTER_STEPS:
                self._button(row, key, labels[key], None)
        else:
            for key, shortcut in DEPARTMENT_KEYS:
                if may(user.role, STEPS[key].action):
                    self._button(row, key, "%s  %s" % (shortcut, STEPS[key].verb.replace("&", "&&")), shortcut)
            rare = [k for k in DEPARTMENT_MORE if may(user.role, STEPS[k].action)]
            if rare:
                self.more_button = QPushButton(tr("Thao tác khác"))
                menu = QMenu(self.more_button)
                for key in rare:
                    action = menu.addAction(STEPS[key].verb.replace("&", "&&"))
                    action.triggered.connect(lambda _c=False, k=key: self.take(k))
                    self.more[key] = action
                self.more_button.setMenu(menu)
                row.addWidget(self.more_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.warning)
        layout.addLayout(row)
        self.setVisible(any(b.isVisibleTo(self) for b in self.buttons.values()) or bool(self.more))

    def _button(self, row: QHBoxLayout, key: str, text: str, shortcut: str | None) -> None:
        button = QPushButton(text)
        button.setToolTip(STEPS[key].title + (" " + tr("(phím {key})").format(key=shortcut) if shortcut else ""))
        if key in ("refuse", "withdraw"):
            button.setObjectName("danger")
        button.clicked.connect(lambda _c=False, k=key: self.take(k))
        button.setVisible(may(self.user.role, STEPS[key].action))
        if shortcut:  # the queue's keys work in the dossier window too, whatever has focus in it
            action = QAction(self)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _c=False, b=button: b.click() if b.isEnabled() else None)
            self.addAction(action)
        self.buttons[key] = button
        row.addWidget(button)

    def target(self) -> Target | None:
        d = self.details
        if d is None:
            return None
        return Target(d.summary.code, d.summary.owner_name, stage=d.summary.stage or None,
                      status=d.summary.status, appointment_at=d.summary.appointment_at,
                      procedure_code=d.procedure_code)

    def show_for(self, d: DossierDetails) -> None:
        self.details = d
        target = self.target()
        extra = ({"receive": _in_transit(d), "return": _result_arrived(d), "transfer": not _in_transit(d)}
                 if self.counter else {})
        for key, button in self.buttons.items():
            button.setEnabled(STEPS[key].applies(self.user.role, target) and extra.get(key, True))
        for key, action in self.more.items():
            action.setEnabled(STEPS[key].applies(self.user.role, target))
        if self.more_button is not None:
            self.more_button.setEnabled(any(a.isEnabled() for a in self.more.values()))
        if self.counter:
            self.buttons["receive"].setText(tr("Nhận kết quả") if d.summary.status is Status.RESULT_READY
                                            else tr("Nhận hồ sơ"))

    def take(self, key: str) -> None:
        target = self.target()
        if target is not None:
            self.flow.start(STEPS[key], target)

    def _finished(self, step, result) -> None:
        self.step_done.emit(step.key, result)
        self.changed.emit(result.code)

    def say(self, kind: str, text: str) -> None:
        if kind == "warning":
            self.warning.say(kind, text)
            return
        self.warning.clear_message()
        self.banner.say(kind, text)

"""The counter's steps in the dossier dialog: transfer, receive back, supplement brought, return, refuse, withdraw.

Each button is enabled only when the user's role may take the step and the dossier is in a
state that allows it; the services check both again.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...domain.dossier import EventKind, Status
from ...domain.i18n import tr
from ...domain.roles import may
from ...services.context import CurrentUser, DeskContext
from ...services.counter import DossierDetails
from ..common.banner import Banner
from ..tasks import TaskRunner
from .catalogue import STEPS, Target
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


class CounterActions(QWidget):
    """``changed(code)`` after a step went through, so the dialog reloads the dossier."""

    changed = Signal(str)
    step_done = Signal(str, object)   # step key, StepResult

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, preview: Preview,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.user = user
        self.details: DossierDetails | None = None
        self.flow = StepFlow(ctx, user, runner, preview, self)
        self.flow.said.connect(self.say)
        self.flow.finished.connect(self._finished)
        self.banner = Banner()
        self.warning = Banner()
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        labels = _labels()
        for key in COUNTER_STEPS:
            button = QPushButton(labels[key])
            button.setToolTip(STEPS[key].title)
            if key in ("refuse", "withdraw"):
                button.setObjectName("danger")
            button.clicked.connect(lambda _c=False, k=key: self.take(k))
            button.setVisible(may(user.role, STEPS[key].action))
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.warning)
        layout.addLayout(row)
        self.setVisible(any(b.isVisibleTo(self) for b in self.buttons.values()))

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
        extra = {"receive": _in_transit(d), "return": _result_arrived(d),
                 "transfer": not _in_transit(d)}
        for key, button in self.buttons.items():
            button.setEnabled(STEPS[key].applies(self.user.role, target) and extra.get(key, True))
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

"""Taking one step on one dossier: ask its inputs, run the service on the worker, preview its form.

Screens hand ``StepFlow.start`` a step and a dossier; the flow says what happened through
``said(kind, text)`` ("ok", "warning" for ``StepResult.flagged``, "error") and ``finished``
once the dossier moved, so the screen reloads what it shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ...domain.i18n import tr
from ...services.context import CurrentUser, DeskContext, ServiceError
from ...services.workflow import StepResult
from ..tasks import TaskRunner
from .catalogue import Directory, Step, Target, load_directory
from .form import StepForm

Preview = Callable[[QWidget, Path], object]


class StepFlow(QObject):
    said = Signal(str, str)          # kind, text
    finished = Signal(object, object)  # Step, StepResult

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, preview: Preview,
                 widget: QWidget):
        super().__init__(widget)
        self.ctx, self.user, self.runner, self.preview, self.widget = ctx, user, runner, preview, widget
        self.form: StepForm | None = None

    def start(self, step: Step, target: Target) -> None:
        if not step.applies(self.user.role, target):
            self.said.emit("error", tr("Không thể \"{step}\" hồ sơ {code} lúc này.").format(step=step.verb,
                                                                                           code=target.code))
            return
        if step.fields is None:
            self._run(step, target, {}, Directory())
            return
        code = target.procedure_code
        self.runner.run(lambda: load_directory(self.ctx, code), on_done=lambda d: self._ask(step, target, d),
                        parent=self.widget)

    def _ask(self, step: Step, target: Target, directory: Directory) -> None:
        if self.form is not None:
            self.form.reject()
        intro = tr("Hồ sơ {code} — {owner}").format(code=target.code, owner=target.owner_name)
        form = StepForm(step.title, intro, step.fields(target, directory), step.verb, self.widget)
        form.submitted.connect(lambda values: self._run(step, target, values, directory))
        form.finished.connect(lambda _r, f=form: self._closed(f))
        self.form = form
        form.open()

    def _closed(self, form: StepForm) -> None:
        if self.form is form:
            self.form = None
        form.deleteLater()

    def _run(self, step: Step, target: Target, values: dict, directory: Directory) -> None:
        ctx, user, code = self.ctx, self.user, target.code
        self.runner.run(lambda: step.call(ctx, user, code, values),
                        on_done=lambda r: self._done(step, target, values, directory, r),
                        on_error=self._failed, parent=self.widget)

    def _done(self, step: Step, target: Target, values: dict, directory: Directory, result: StepResult) -> None:
        if self.form is not None:
            self.form.accept()
        self.said.emit("ok", step.done(target, values, result, self.ctx.clock(), directory))
        if result.flagged:
            self.said.emit("warning", result.flagged)
        self.finished.emit(step, result)
        if result.form_path is not None:
            self.preview(self.widget, result.form_path)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, ServiceError):
            self.runner.report_error(error, self.widget)
        elif self.form is not None and self.form.isVisible():
            self.form.show_error(str(error))
        else:
            self.said.emit("error", str(error))

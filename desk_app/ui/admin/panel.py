"""Quản trị: one tab per thing the administrator keeps: units, people, workflows, hours, holidays, the
agency, the public announcements."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ...domain.i18n import tr
from ...services.context import CurrentUser, DeskContext
from ..tasks import TaskRunner
from .agency import AgencyPage
from .announcements import AnnouncementsPage
from .calendar import HolidaysPage, SettingsPage
from .people import PeoplePage, UnitsPage
from .workflows import WorkflowsPage


class AdminPanel(QWidget):
    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.units = UnitsPage(ctx, user, runner)
        self.people = PeoplePage(ctx, user, runner)
        self.workflows = WorkflowsPage(ctx, user, runner)
        self.settings = SettingsPage(ctx, user, runner)
        self.holidays = HolidaysPage(ctx, user, runner)
        self.agency = AgencyPage(ctx, user, runner)
        self.announcements = AnnouncementsPage(ctx, user, runner)
        self.tabs = QTabWidget()
        for page, title in ((self.people, tr("Cán bộ và vai trò")), (self.units, tr("Đơn vị")),
                            (self.workflows, tr("Quy trình theo thủ tục")),
                            (self.settings, tr("Giờ làm việc và thiết lập")),
                            (self.holidays, tr("Ngày nghỉ, ngày làm bù")), (self.agency, tr("Thông tin cơ quan")),
                            (self.announcements, tr("Thông báo công khai"))):
            self.tabs.addTab(page, title)
        # a new unit shows up in the people's and the workflows' unit lists
        self.units.changed.connect(self.people.reload)
        self.units.changed.connect(self.workflows.reload)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addWidget(self.tabs)
        for page in self.pages():
            page.reload()

    def pages(self):
        return (self.people, self.units, self.workflows, self.settings, self.holidays, self.agency,
                self.announcements)

"""What every use case needs: the database, the desk's identity, the clock, the files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from ..domain.calendar import WorkCalendar, parse_periods
from ..domain.i18n import tr
from ..domain.roles import Action, Role, may
from ..storage import repositories as repo
from ..storage.db import Database


class ServiceError(Exception):
    """A use case refused; the message is for the user, in their language."""


class PermissionDenied(ServiceError):
    pass


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    full_name: str
    role: Role
    unit_id: int | None = None


def require(user: CurrentUser, action: Action) -> None:
    if not may(user.role, action):
        raise PermissionDenied(tr("Tài khoản {user} ({role}) không có quyền thực hiện thao tác này.")
                               .format(user=user.username, role=user.role.label))


@dataclass
class DeskContext:
    db: Database
    data_dir: Path
    desk_id: str
    clock: Callable[[], datetime] = datetime.now
    print_forms: bool = True  # the demo builder turns the PDFs of hand-overs off for speed
    _calendar: WorkCalendar | None = field(default=None, repr=False)
    # Where dossier numbers come from when the desk's blocks run out: None for the desk's own
    # counter (one site); ``services.sync.attach`` sets the central server's leases.
    code_leaser: Callable | None = field(default=None, repr=False)

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def receipts_dir(self) -> Path:
        return self.data_dir / "receipts"

    def calendar(self) -> WorkCalendar:
        """The working calendar from the holidays table and the working-hours setting."""
        if self._calendar is None:
            with self.db.session(write=False) as s:
                off, work = {}, {}
                for h in repo.holidays(s):
                    (off if h.kind == "off" else work)[h.day] = h.name
                periods = parse_periods(repo.get_setting(s, "working_periods"))
            self._calendar = WorkCalendar(periods=periods, days_off=off, working_days=work)
        return self._calendar

    def invalidate_calendar(self) -> None:
        self._calendar = None


def open_desk(data_dir: Path | str, desk_id: str | None = None, clock=datetime.now) -> DeskContext:
    """Open (creating and migrating if needed) the desk database in ``data_dir``."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    id_file = data_dir / "desk-id"
    if desk_id is None:
        if id_file.exists():
            desk_id = id_file.read_text().strip()
        else:
            import uuid
            desk_id = "desk-" + uuid.uuid4().hex[:12]
            id_file.write_text(desk_id)
    return DeskContext(Database(data_dir / "desk.sqlite3"), data_dir, desk_id, clock)

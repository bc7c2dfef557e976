"""Settings: typed, checked, and the calendar follows the working hours."""

from datetime import datetime

import pytest

from desk_app.domain.calendar import Deadline
from desk_app.services import auth, settings
from desk_app.services.context import PermissionDenied, ServiceError


def test_defaults_and_changes(desk):
    admin = auth.login(desk, "admin", "matkhau-admin")
    assert settings.get(desk, "idle_lock_minutes") == 10
    assert settings.get(desk, "paper_size") == "A4"
    settings.set(desk, admin, "paper_size", "A5")
    assert settings.get_all(desk)["paper_size"] == "A5"
    with pytest.raises(ServiceError):
        settings.set(desk, admin, "paper_size", "Letter")
    with pytest.raises(ServiceError):
        settings.set(desk, admin, "working_periods", "8h-17h")
    with pytest.raises(PermissionDenied):
        settings.set(desk, desk.clerk, "idle_lock_minutes", 1)


def test_working_hours_setting_moves_deadlines(desk):
    admin = auth.login(desk, "admin", "matkhau-admin")
    received = datetime(2026, 11, 10, 7, 0)
    assert desk.calendar().appointment(received, Deadline(1)) == datetime(2026, 11, 10, 17, 0)
    settings.set(desk, admin, "working_periods", "07:00-11:30, 13:30-17:00")
    assert desk.calendar().appointment(received, Deadline(1)) == datetime(2026, 11, 10, 17, 0)
    assert desk.calendar().appointment(datetime(2026, 11, 10, 8, 0), Deadline(1)) == datetime(2026, 11, 11, 8, 0)

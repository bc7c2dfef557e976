"""The dossier's state machine."""

from desk_app.domain.dossier import EventKind, Status
from desk_app.domain.workflow import check_step


def test_happy_path():
    status = None
    for kind in (EventKind.RECEIVED, EventKind.TRANSFERRED, EventKind.ARRIVED, EventKind.ASSIGNED,
                 EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENT_RECEIVED, EventKind.RESULT_READY,
                 EventKind.ARRIVED, EventKind.RETURNED, EventKind.RATED):
        assert check_step(kind, status) is None, (kind, status)
        from desk_app.domain.workflow import next_status
        status = next_status(kind, status)
    assert status is Status.RETURNED


def test_refusals_name_the_reason():
    assert "đã được tiếp nhận" in check_step(EventKind.RECEIVED, Status.RECEIVED)
    assert check_step(EventKind.RETURNED, Status.PROCESSING)
    assert check_step(EventKind.TRANSFERRED, Status.RETURNED)
    assert check_step(EventKind.SUPPLEMENT_RECEIVED, Status.PROCESSING)
    assert check_step(EventKind.NOTE, None)

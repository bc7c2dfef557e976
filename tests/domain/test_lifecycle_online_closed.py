"""The reducer's stage for an online submission ended before the counter accepted it: refused at
the check (also while waiting for the citizen's papers) or withdrawn, it was never received
(domain.md: status 3 "Không được tiếp nhận"), so it ends in ``Stage.ONLINE_CLOSED``, never
``Stage.CLOSED``, which only a received dossier reaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from desk_app.domain import lifecycle
from desk_app.domain.dossier import EventKind, Status
from desk_app.domain.lifecycle import Stage, StepRefusal, Verdict

T0 = datetime(2026, 9, 1, 8, 0)


@dataclass
class Ev:
    kind: EventKind
    payload: dict = field(default_factory=dict)
    actor: str = "tiepnhan"
    desk: str = "desk-A"
    desk_time: datetime = T0
    unit: str | None = "MOTCUA"
    dossier_code: str = "000.00.06.H56-260901-0001"


def _submitted() -> Ev:
    return Ev(EventKind.SUBMITTED_ONLINE, {
        "procedure": {"code": "1.001193", "name": "Đăng ký khai sinh"}, "received_at": T0.isoformat(),
        "due_at": T0.isoformat(), "channel": "online", "submission": "s1", "counter_unit": "MOTCUA"},
        actor="citizen", desk="server")


def _intake() -> Ev:
    return Ev(EventKind.RECEIVED, {"procedure": {"code": "1.001193", "name": "Đăng ký khai sinh"},
                                   "received_at": T0.isoformat(), "due_at": (T0 + timedelta(days=1)).isoformat()})


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _fold(*events: Ev) -> lifecycle.DossierState:
    return lifecycle.fold(events, strict=True)


ASK = Ev(EventKind.SUPPLEMENT_REQUESTED, {"reason": "Ảnh mờ", "missing": ["Giấy chứng sinh"]}, desk_time=_at(1))
REFUSE = Ev(EventKind.REFUSED, {"reasons": ["Không hợp lệ"], "processing_seconds": 3600}, desk_time=_at(2))
WITHDRAW = Ev(EventKind.WITHDRAWN, {"reason": "Công dân rút"}, desk_time=_at(2))
ACCEPT = Ev(EventKind.ACCEPTED_ONLINE, {"received_at": _at(1).isoformat(), "due_at": _at(30).isoformat()},
            desk_time=_at(1))


@pytest.mark.parametrize("before, end, status", [
    ((), REFUSE, Status.REFUSED), ((), WITHDRAW, Status.WITHDRAWN),
    ((ASK,), REFUSE, Status.REFUSED), ((ASK,), WITHDRAW, Status.WITHDRAWN)],
    ids=["refused at the check", "withdrawn before the check", "refused while waiting for papers",
         "withdrawn while waiting for papers"])
def test_ended_before_acceptance_is_online_closed(before, end, status):
    s = _fold(_submitted(), *before, end)
    assert s.stage is Stage.ONLINE_CLOSED and s.status is status
    assert s.finished_at == end.desk_time and s.outcome == lifecycle.judge(s, _at(5)).value
    assert lifecycle.judge(s, _at(5)) is (Verdict.REFUSED if status is Status.REFUSED else Verdict.WITHDRAWN)
    assert s.stage in lifecycle.NOT_ACCEPTED_STAGES and s.stage in lifecycle.ENDED_STAGES
    assert s.stage not in lifecycle.AWAITING_CHECK_STAGES
    # an annotation keeps the stage and how it ended
    noted = lifecycle.apply(s, Ev(EventKind.CITIZEN_MESSAGE, {"text": "Vì sao?"}, desk_time=_at(3)))
    assert (noted.stage, noted.status) == (Stage.ONLINE_CLOSED, status)
    assert lifecycle.columns(noted)["stage"] == "online_closed"
    assert lifecycle.from_columns(lifecycle.columns(noted)) == noted


def test_after_acceptance_an_online_dossier_closes_as_any_received_one():
    s = _fold(_submitted(), ACCEPT, REFUSE)
    assert s.stage is Stage.CLOSED and s.status is Status.REFUSED
    assert s.stage not in lifecycle.NOT_ACCEPTED_STAGES
    assert _fold(_intake(), REFUSE).stage is Stage.CLOSED


@pytest.mark.parametrize("kind", [EventKind.ACCEPTED_ONLINE, EventKind.SUPPLEMENT_REQUESTED,
                                  EventKind.SUPPLEMENT_RECEIVED, EventKind.REFUSED, EventKind.WITHDRAWN,
                                  EventKind.STOPPED, EventKind.TRANSFERRED, EventKind.RESULT_READY,
                                  EventKind.APPOINTMENT_MOVED])
def test_nothing_moves_an_online_closed_dossier(kind):
    s = _fold(_submitted(), REFUSE)
    assert not lifecycle.stage_allows(s.stage, kind)
    assert lifecycle.check(s, kind, _at(3)) is not None
    with pytest.raises(StepRefusal):
        lifecycle.apply(s, Ev(kind, ACCEPT.payload if kind is EventKind.ACCEPTED_ONLINE else {}, desk_time=_at(3)))


def test_the_stage_s_status_label_and_the_screens_rules():
    assert lifecycle.status_of_stage(Stage.ONLINE_CLOSED) is Status.REFUSED
    assert lifecycle.status_of_stage(Stage.ONLINE_CLOSED, Status.WITHDRAWN) is Status.WITHDRAWN
    assert lifecycle.status_of_stage(Stage.ONLINE) is Status.SUBMITTED_ONLINE
    assert Stage.ONLINE_CLOSED.label == "Đã kết thúc, chưa được tiếp nhận"
    assert lifecycle.stage_words("online_closed") == Stage.ONLINE_CLOSED.label
    # a screen that knows only the status offers an ended dossier's annotations, nothing else
    for status in (Status.REFUSED, Status.WITHDRAWN):
        assert lifecycle.status_allows(status, EventKind.NOTE)
        assert not lifecycle.status_allows(status, EventKind.ACCEPTED_ONLINE)
    # waiting for the check: the verdict "waiting"; ended: not
    waiting = _fold(_submitted())
    assert lifecycle.judge(waiting, _at(1)) is Verdict.WAITING
    assert lifecycle.judge_fields(Status.REFUSED, "online_closed", T0, _at(2), 0, None, _at(3), _at(3)) \
        is Verdict.REFUSED


def test_a_submission_not_accepted_has_no_processing_time():
    """What a refusal or withdrawal carries as processing_seconds: working time since receipt for
    a received dossier, none for one never received (its received_at is the submission's)."""
    from desk_app.domain.calendar import WorkCalendar
    cal = WorkCalendar()
    asked = _fold(_submitted(), ASK)
    for state in (_fold(_submitted()), asked):
        assert state.stage in lifecycle.AWAITING_CHECK_STAGES
        assert lifecycle.processing_seconds(state, _at(26), cal) is None
    assert lifecycle.processing_seconds(_fold(_submitted(), ACCEPT), _at(26), cal) > 0
    assert lifecycle.processing_seconds(_fold(_intake()), _at(26), cal) > 0

"""An online submission the counter refuses at its check, before accepting it, was never received
(domain.md: status 3 "Không được tiếp nhận"): the statistics' "received" figure must not count it,
nor its "finished" one; nor one the citizen withdraws before the check, nor one refused after the
counter asked for papers. An accepted online submission is received (the control). All are made
by a citizen on a real server and pulled by the desk's sync, then accepted, refused or withdrawn
by the counter's services, the desk's clock two hours after the server's time of submission.

And the desk's migration 0009 restages such a dossier closed by an older reducer (stage
'closed') and takes its figures out of the roll-up; its downgrade puts them back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from desk_app.domain.dossier import Status
from desk_app.domain.lifecycle import Stage
from desk_app.services import online, statistics, workflow
from desk_app.storage import repositories as repo
from desk_app.storage.db import MIGRATIONS
from tests.central_server.conftest import server_factory  # noqa: F401 (fixture)
from tests.services.test_statistics_rollup import _revision, _rollup, _submit, online_office  # noqa: F401 (fixture)


def _submitted(d, clock) -> tuple[str, object]:
    """A citizen's submission pulled by the desk, and the server's time of it; the desk's clock is
    then two hours later."""
    code, _key, _citizen = _submit(d)
    at = online.details(d, d.clerk_at_counter, code).submitted_at
    clock.now = at + timedelta(hours=2)
    return code, at


def _reports(d, clock, at) -> list[tuple[statistics.Report, statistics.Report]]:
    """A week around the submission and its check, read ten days later, in every grouping: by the
    roll-up and by the rows (the reference)."""
    clock.now = at + timedelta(days=10)
    out = []
    for group_by in statistics.GroupBy:
        args = (d, d.leader, at.date() - timedelta(days=3), at.date() + timedelta(days=3), group_by)
        out.append((statistics.compute(*args), statistics.compute_from_rows(*args)))
    return out


def _received(d, clock, at) -> tuple[int, int]:
    """Received in that week, by the roll-up and by the rows; the two agree in every figure."""
    reports = _reports(d, clock, at)
    for rolled, rows in reports:
        assert rolled == rows
    rolled, rows = reports[0]
    return rolled.total.received, rows.total.received


def _finished(d) -> int:
    """Finished in any way (refused, withdrawn too), as the roll-up keeps it (the report's
    "finished" counts only those with a timing verdict)."""
    with d.db.session(write=False) as s:
        return s.execute(text("SELECT coalesce(sum(finished), 0) FROM stats_days WHERE dim = 'u'")).scalar()


def _state(d, code) -> tuple[str, int]:
    with d.db.session(write=False) as s:
        row = repo.dossier_by_code(s, code)
        return row.stage, row.status


def _processing(d, code) -> int | None:
    with d.db.session(write=False) as s:
        return repo.dossier_by_code(s, code).processing_seconds


def test_an_accepted_online_submission_counts_as_received(online_office, clock):
    d = online_office
    code, at = _submitted(d, clock)
    assert _received(d, clock, at) == (0, 0)   # waiting for the counter's check: in no figure
    clock.now = at + timedelta(hours=2)
    online.accept(d, d.clerk_at_counter, code)
    assert _received(d, clock, at) == (1, 1)
    # refused after acceptance: received, so it had a processing time (from the acceptance)
    clock.now = at + timedelta(days=1)
    _refuse(d, code)
    assert _state(d, code) == (Stage.CLOSED.value, Status.REFUSED.value)
    assert isinstance(_processing(d, code), int)


def _refuse(d, code) -> None:
    online.refuse(d, d.clerk_at_counter, code, ["Giấy chứng sinh không hợp lệ"])


def _withdraw(d, code) -> None:
    # the counter's own step, asked at the counter or by phone before its check
    workflow.withdraw(d, d.clerk_at_counter, code, "Công dân đề nghị rút hồ sơ trước khi tiếp nhận")


def _refuse_after_asking(d, code) -> None:
    online.ask_for_papers(d, d.clerk_at_counter, code, "Giấy chứng sinh chụp mờ", ["Giấy chứng sinh (chụp rõ)"])
    assert _state(d, code)[0] == Stage.ONLINE_SUPPLEMENT.value
    _refuse(d, code)


@pytest.mark.parametrize("end, status", [(_refuse, Status.REFUSED), (_withdraw, Status.WITHDRAWN),
                                         (_refuse_after_asking, Status.REFUSED)],
                         ids=["refused at the check", "withdrawn before the check",
                              "refused while waiting for papers"])
def test_an_online_submission_ended_before_acceptance_is_not_received(online_office, clock, end, status):
    d = online_office
    code, at = _submitted(d, clock)
    assert _received(d, clock, at) == (0, 0)
    clock.now = at + timedelta(hours=2)
    end(d, code)
    assert _state(d, code) == (Stage.ONLINE_CLOSED.value, status.value)
    assert _processing(d, code) is None   # never received: no processing time, not the time since submission
    assert _received(d, clock, at) == (0, 0)
    assert _finished(d) == 0
    assert online.queue(d, d.clerk_at_counter) == []   # out of the counter's queue


def _migrate(d, to: str) -> None:
    """Alembic to revision ``to`` (up or down) on the desk's database, as ``db.upgrade`` runs it."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with d.db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        (command.upgrade if to == "head" else command.downgrade)(cfg, to)
        conn.commit()


def _built(d, revision: str) -> set:
    """``stats_days`` as ``revision`` builds it from the rows (what its triggers must have kept)."""
    kept = _rollup(d)
    with d.db.session() as s:
        s.execute(text("DELETE FROM stats_days"))
        for statement in _revision(revision).build_statements():
            s.execute(text(statement))
    built = _rollup(d)
    assert built == kept
    return built


def test_migration_0009_takes_an_older_refusal_before_acceptance_out_of_the_figures(online_office, clock):
    d = online_office
    refused, at = _submitted(d, clock)
    _refuse(d, refused)
    accepted, _ = _submitted(d, clock)   # the control: received, stays counted
    online.accept(d, d.clerk_at_counter, accepted)
    assert _received(d, clock, at) == (1, 1)
    # as a desk at revision 0008 holds them: the older reducer left the refusal in 'closed'
    _migrate(d, "0008")
    assert _state(d, refused) == (Stage.CLOSED.value, Status.REFUSED.value)
    assert _state(d, accepted)[0] != Stage.CLOSED.value
    assert _received(d, clock, at) == (2, 2) and _finished(d) == 1   # the gap, as it was
    _built(d, "0007_stats_days.py")
    # upgraded: restaged, and the triggers took its figures out of the roll-up
    _migrate(d, "head")
    assert _state(d, refused) == (Stage.ONLINE_CLOSED.value, Status.REFUSED.value)
    assert _received(d, clock, at) == (1, 1) and _finished(d) == 0
    _built(d, "0009_online_closed.py")
    # downgraded again: as it was
    _migrate(d, "0008")
    assert _state(d, refused) == (Stage.CLOSED.value, Status.REFUSED.value)
    assert _received(d, clock, at) == (2, 2)
    _built(d, "0007_stats_days.py")
    _migrate(d, "head")
    assert _received(d, clock, at) == (1, 1)

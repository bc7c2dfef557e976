"""The statistics read from the roll-up by day (``stats_days``, kept by triggers) give exactly the
figures counted from the rows (``statistics.compute_from_rows``, the reference): dossiers walked
by the real services at random moments (received, moved between units, paused, finished early,
late, refused, withdrawn, returned, rated, some with a clock that runs behind), a year of them
added in bulk as the benchmarks do, for random periods, clocks and groupings. And the revision's
build from existing rows gives the same roll-up as the triggers kept."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import text

from desk_app.domain.dossier import EventKind, Rating
from desk_app.domain.lifecycle import PayloadError, StepRefusal
from desk_app.services import intake, statistics, workflow
from desk_app.services.context import ServiceError
from desk_app.storage import repositories as repo
from desk_app.storage.db import MIGRATIONS
from tests.conftest import birth_form
from tests.services.test_walk import land_form

FIRST = datetime(2026, 9, 1, 7, 0)
STEPS = ("transfer", "transfer_other", "receive", "supplement", "supplement_back", "result", "return", "rate",
         "withdraw", "refuse", "back_to_counter")


def _residence(name: str):
    f = birth_form(name=name)
    f.procedure_code = "1.004194"
    f.components = {"Tờ khai thay đổi thông tin cư trú": 1}
    return f


FORMS = (lambda: _residence("Nguyễn Văn An"), land_form, lambda: birth_form(name="Trần Thị Bình"))


def _step(d, name: str, code: str) -> None:
    sp, c, lead = d.specialist, d.clerk_at_counter, d.leader
    if name == "transfer":
        workflow.transfer(d, c, code, "VPDKDD")
    elif name == "transfer_other":
        workflow.transfer(d, sp, code, "PTNMT")
    elif name == "receive":
        workflow.receive(d, sp, code)
    elif name == "supplement":
        workflow.request_supplement(d, sp, code, "Thiếu", ["Tờ khai"])
    elif name == "supplement_back":
        workflow.record_supplement(d, c, code)
    elif name == "result":
        workflow.result_ready(d, sp, code)
    elif name == "return":
        workflow.return_result(d, c, code)
    elif name == "rate":
        with d.db.session() as s:
            repo.append_event(s, repo.dossier_by_code(s, code), EventKind.RATED,
                              {"level": list(Rating)[len(code) % 3].value, "comment": ""}, "kiosk", d.desk_id,
                              d.clock())
    elif name == "withdraw":
        workflow.withdraw(d, c, code, "Công dân rút")
    elif name == "refuse":
        workflow.refuse(d, lead, code, ["Không đủ điều kiện"])
    elif name == "back_to_counter":
        workflow.transfer(d, sp, code, "MOTCUA")


walks = st.lists(st.tuples(st.integers(0, len(FORMS) - 1), st.integers(0, 80 * 24),
                           st.lists(st.tuples(st.sampled_from(STEPS), st.integers(-30, 24 * 20)), max_size=7)),
                 min_size=1, max_size=4)
periods = st.lists(st.tuples(st.integers(-60, 120), st.integers(0, 400), st.integers(-10 * 24, 200 * 24),
                             st.sampled_from(list(statistics.GroupBy))), min_size=3, max_size=6)


def _walk(d, clock, walk) -> None:
    form, start, steps = walk
    clock.now = FIRST + timedelta(hours=start)
    try:
        code = intake.save(d, d.clerk_at_counter, FORMS[form](), print_receipt=False).code
    except ServiceError:
        return
    for name, hours in steps:
        # a negative step: this desk's clock runs behind the one before (a finish may be dated
        # before its receipt)
        clock.now = clock.now + timedelta(hours=hours)
        try:
            _step(d, name, code)
        except (ServiceError, PayloadError, StepRefusal):   # a step the dossier cannot take now: as at a real desk
            pass


def _same(d, clock, checks) -> None:
    for shift, length, now, group_by in checks:
        start = FIRST.date() + timedelta(days=shift)
        clock.now = FIRST + timedelta(hours=now)
        args = (d, d.leader, start, start + timedelta(days=length), group_by)
        assert statistics.compute(*args) == statistics.compute_from_rows(*args)


def _rollup(d) -> set:
    with d.db.session(write=False) as s:
        return {tuple(r) for r in s.execute(text(
            "SELECT * FROM stats_days WHERE received OR finished OR early OR on_time OR late OR seconds "
            "OR supplements OR very_satisfied OR satisfied OR unsatisfied"))}


def _built_again(d) -> set:
    spec = importlib.util.spec_from_file_location("stats_days_revision",
                                                  Path(MIGRATIONS) / "versions" / "0007_stats_days.py")
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    with d.db.session() as s:
        s.execute(text("DELETE FROM stats_days"))
        for statement in revision.build_statements():
            s.execute(text(statement))
    return _rollup(d)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(walks=walks, checks=periods)
def test_the_rollup_counts_as_the_rows_do(office, clock, walks, checks):
    for walk in walks:
        _walk(office, clock, walk)
    _same(office, clock, checks)


def test_bulk_filled_desk_and_the_revisions_build(office, clock):
    from benchmarks import bench_supervisor
    d = office
    for i in range(12):   # some walked by the services too
        _walk(d, clock, (i % len(FORMS), i * 90, [("transfer", 1), ("receive", 1), ("rate", 2),
                                                   ("supplement", 3), ("transfer_other", 2), ("result", 40 + i),
                                                   ("return", 1), ("rate", 1)][: 2 + i % 7]))
    d.db.dispose()
    bench_supervisor.fill(d.data_dir, 600, now=datetime(2026, 11, 27, 10, 0))
    checks = [(shift, length, now, g) for shift in (-400, -100, 0, 31, 60) for length in (0, 6, 45, 400)
              for now, g in ((24 * 88, statistics.GroupBy.UNIT), (24 * 10, statistics.GroupBy.PROCEDURE),
                             (24 * 200, statistics.GroupBy.CLERK))]
    _same(d, clock, checks)
    kept = _rollup(d)
    assert kept and _built_again(d) == kept
    _same(d, clock, checks[:12])


def test_the_roll_up_s_frozen_stages_are_the_domain_s():
    """Revision 0007 froze the stages of a submission not yet accepted into its triggers' SQL: a
    stage added to the domain's list without a revision that rewrites them would skew the
    figures silently."""
    import importlib.util
    import re
    from pathlib import Path

    from desk_app.domain import lifecycle
    path = Path(__file__).resolve().parents[2] / "desk_app/storage/migrations/versions/0007_stats_days.py"
    spec = importlib.util.spec_from_file_location("desk_revision_0007", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    frozen = set(re.findall(r"'([a-z_]+)'", module.ACCEPTED))
    assert frozen == {st.value for st in lifecycle.NOT_ACCEPTED_STAGES}

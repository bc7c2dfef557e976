"""The statistics read from the roll-up by day (``stats_days``, kept by triggers) give exactly the
figures counted from the rows (``statistics.compute_from_rows``, the reference): dossiers walked
by the real services at random moments (received, moved between units, paused, finished early,
late, refused, withdrawn, returned, rated, some with a clock that runs behind), a year of them
added in bulk as the benchmarks do, for random periods, clocks and groupings; online submissions
made by a citizen on the real server and pulled by sync, then accepted at the counter (and walked
on), asked for papers, answered by the citizen, refused or left waiting. And the revision's build
from existing rows gives the same roll-up as the triggers kept."""

from __future__ import annotations

import importlib.util
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from sqlalchemy import text

from desk_app.domain.dossier import EventKind, Rating
from desk_app.domain.lifecycle import PayloadError, StepRefusal
from desk_app.services import intake, online, statistics, sync, workflow
from desk_app.services.context import ServiceError
from desk_app.storage import repositories as repo
from desk_app.storage.db import MIGRATIONS
from tests.central_server.conftest import server_factory  # noqa: F401 (fixture)
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


def _revision(name: str):
    """A desk migration's module (the versions folder is not a package)."""
    spec = importlib.util.spec_from_file_location("desk_revision_" + name[:4], Path(MIGRATIONS) / "versions" / name)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    return revision


# the revision whose condition the roll-up's triggers hold now (0007 built them, 0009 rebuilt them)
NEWEST_ROLLUP = "0009_online_closed.py"


def _built_again(d) -> set:
    revision = _revision(NEWEST_ROLLUP)
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


# an online submission: the citizen's e-form on the server, pulled by the desk; then what the
# counter (or the citizen, on the dossier's page) does before acceptance, then the walk's steps
ONLINE = ("accept", "accept", "ask_for_papers", "citizen_adds", "refuse_online")
online_walks = st.lists(st.tuples(st.integers(0, 80 * 24),
                                  st.lists(st.tuples(st.sampled_from(ONLINE), st.integers(-30, 24 * 5)), max_size=4),
                                  st.lists(st.tuples(st.sampled_from(STEPS), st.integers(-30, 24 * 20)), max_size=5)),
                        max_size=3)


@pytest.fixture
def online_office(office, server_factory):  # noqa: F811
    """The office's desk enrolled on a real server that takes its online submissions."""
    from tests.sync.test_online import photo
    server = server_factory("sqlite", env={"DESK_SERVER_WEB_ONLINE_RATE_PER_SECOND": "1000",
                                           "DESK_SERVER_WEB_ONLINE_BURST": "1000"})
    with office.db.session(write=False) as s:
        agency = repo.get_agency(s).code
    sync.enrol(office, server.url, server.enrolment_code(agency, ["MOTCUA", "VPDKDD", "PTNMT"], "desk-A"))
    sync.sync_once(office)   # the counter unit and the catalogue reach the server's pages
    office.server, office.agency_code, office.photos = server, agency, (photo(1), photo(2))
    return office


def _submit(d):
    """A citizen's submission on the server, pulled by the desk: (code, key, the citizen)."""
    from tests.sync.test_online import Citizen, owner_fields
    citizen = Citizen(d.server)
    citizen.start(d.agency_code)
    saved = citizen.post(owner_fields(action="save"), files=[("c0", ("to-khai.jpg", d.photos[0], "image/jpeg")),
                                                             ("c1", ("chung-sinh.jpg", d.photos[1], "image/jpeg"))])
    assert saved.status_code == 303, saved.text
    r = citizen.post({**owner_fields(), "action": "submit"})
    assert r.status_code == 303, r.text
    code, key = r.headers["location"].split("/h/")[1].split("?k=")
    sync.sync_once(d)
    return code, key.split("&")[0], citizen


def _online_step(d, name: str, code: str, key: str, citizen) -> None:
    c = d.clerk_at_counter
    if name == "accept":
        online.accept(d, c, code)
    elif name == "ask_for_papers":
        online.ask_for_papers(d, c, code, "Giấy chứng sinh chụp mờ", ["Giấy chứng sinh (chụp rõ)"])
    elif name == "refuse_online":
        online.refuse(d, c, code, ["Giấy chứng sinh không hợp lệ"])
    elif name == "citizen_adds":   # on the dossier's page, if it asks for papers now
        sync.sync_once(d)
        page = citizen.http.get("/h/%s?k=%s" % (code, key)).text
        token = re.search(r'name="token" value="([0-9a-f]+)"', page)
        if "/bo-sung" in page and token:
            r = citizen.http.post("/h/%s/bo-sung" % code, data={"k": key, "token": token.group(1), "text": "Đã gửi"},
                                  files=[("files", ("cs.jpg", d.photos[1], "image/jpeg"))])
            assert r.status_code == 303, r.text
    sync.sync_once(d)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(walks=walks, submissions=online_walks, checks=periods)
# always among them: accepted and walked on, accepted after papers asked for and sent, refused
# after papers were asked for, refused, left waiting (and left waiting for the citizen's papers)
@example(walks=[(0, 10, [("transfer", 2), ("receive", 1), ("rate", 3)])],
         submissions=[(30, [("accept", 2)], [("transfer", 1), ("receive", 2), ("supplement", 3),
                                             ("supplement_back", 20), ("result", 30), ("return", 2), ("rate", 1)]),
                      (50, [("ask_for_papers", 1), ("citizen_adds", 20), ("accept", 3)], [("transfer", 2)]),
                      (60, [("ask_for_papers", 1), ("refuse_online", 5)], []),
                      (70, [("refuse_online", 5)], []), (80, [], []), (90, [("ask_for_papers", 1)], []),
                      (100, [("accept", -40)], [("result", 30), ("return", 1)])],
         checks=[(-10, 60, 24 * 30, statistics.GroupBy.UNIT), (0, 2, 24 * 10, statistics.GroupBy.CLERK),
                 (1, 3, 24 * 80, statistics.GroupBy.PROCEDURE)])
def test_the_rollup_counts_online_submissions_as_the_rows_do(online_office, clock, walks, submissions, checks):
    d = online_office
    for walk in walks:
        _walk(d, clock, walk)
    for start, before, steps in submissions:
        clock.now = FIRST + timedelta(hours=start)
        code, key, citizen = _submit(d)
        for name, hours in before:
            clock.now = clock.now + timedelta(hours=hours)
            try:
                _online_step(d, name, code, key, citizen)
            except (ServiceError, PayloadError, StepRefusal):   # not a step for its stage now
                pass
        for name, hours in steps:
            clock.now = clock.now + timedelta(hours=hours)
            try:
                _step(d, name, code)
            except (ServiceError, PayloadError, StepRefusal):
                pass
    _same(d, clock, checks)
    kept = _rollup(d)
    assert _built_again(d) == kept


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
    """The newest revision of the roll-up's triggers (0007, then 0009) froze the stages of a
    submission never accepted into their SQL: a stage added to the domain's list without a
    revision that rewrites them would skew the figures silently."""
    from desk_app.domain import lifecycle
    frozen = set(re.findall(r"'([a-z_]+)'", _revision(NEWEST_ROLLUP).ACCEPTED))
    assert frozen == {st.value for st in lifecycle.NOT_ACCEPTED_STAGES}
    # and a database brought to the newest revision holds that revision's triggers
    with_triggers = sorted(p.name for p in (Path(MIGRATIONS) / "versions").glob("*.py")
                           if "triggers(" in p.read_text("utf-8") or "TRIGGERS" in p.read_text("utf-8"))
    assert with_triggers[-1] == NEWEST_ROLLUP

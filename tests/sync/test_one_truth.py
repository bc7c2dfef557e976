"""One dossier, one truth: random walks of dossiers through the real services, then the same
events folded by the domain's reducer must give exactly the rows the services stored: at the
desk that took the steps, on the server (SQLite and PostgreSQL), and at a desk that pulled
them. The citizen's page on the server says what the kiosk says.

Each example walks a new dossier (hypothesis draws the steps and the time between them among
those the state machine allows, and now and then one it refuses, which the services must
refuse too)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk_app.domain import lifecycle
from desk_app.domain.codes import parse_capability_url
from desk_app.domain.dossier import EventKind
from desk_app.domain.lifecycle import Stage
from desk_app.domain.roles import Role
from desk_app.services import auth, counter, kiosk, sync, workflow
from desk_app.services.context import ServiceError
from desk_app.storage import projection
from desk_app.storage import repositories as repo
from desk_app.storage import sync_repo
from desk_app.storage.models import Dossier
from tests.central_server import kit
from tests.central_server.conftest import BACKENDS, database_url
from tests.sync import desks


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """A server, a desk that takes every step (counter and departments) and an agency-wide
    desk that only pulls."""
    tmp = tmp_path_factory.mktemp("one-truth")
    server = kit.ServerProcess(database_url(request.config, tmp, request.param), tmp / "server",
                               env={"DESK_SERVER_WEB_ONLINE_RATE_PER_SECOND": "1000",
                                    "DESK_SERVER_WEB_ONLINE_BURST": "1000"}).start()
    agency = kit.new_agency()
    clock = Clock(desks.vn_now())
    actor = desks.enrolled_desk(tmp, server, "quay-" + agency, agency, ["MOTCUA", "STP", "VPDKDD"], clock)
    watcher = desks.enrolled_desk(tmp, server, "ld-" + agency, agency, ["STP"], clock, scope="agency")
    actor.print_forms = False
    actor.kiosk_user = auth.create_user(actor, "kiosk", "Kiosk", Role.KIOSK, desks.PASSWORD)
    yield server, actor, watcher, clock
    server.stop()


def _person(ctx, unit: str | None, role: str):
    if not unit or unit == "MOTCUA":
        return ctx.clerk if role == "cv" else ctx.people["ld_stp"]
    return ctx.people["%s_%s" % (role, unit.lower())]


def _calls(ctx, state: lifecycle.DossierState, data) -> dict[EventKind, callable]:
    """For each kind, a call of the service that takes that step, by whoever would."""
    code, unit = state.code, state.holder_unit
    cv, ld = _person(ctx, unit, "cv"), _person(ctx, unit, "ld")
    units = [u for u in ("MOTCUA", "STP", "VPDKDD") if u != unit]

    def apologise():
        day = ctx.calendar().next_working_day(state.appointment_at.date() + timedelta(days=data.draw(
            st.integers(0, 5), "apology days")))
        workflow.apologise(ctx, ld, code, "Cần xác minh thêm", datetime.combine(day, state.appointment_at.time()))

    return {
        EventKind.TRANSFERRED: lambda: workflow.transfer(ctx, cv, code, data.draw(st.sampled_from(units), "to")),
        EventKind.ARRIVED: lambda: workflow.receive(ctx, cv, code),
        EventKind.ASSIGNED: lambda: workflow.assign(ctx, ld, code, cv.username),
        EventKind.FORWARDED: lambda: workflow.forward(ctx, cv, code, ld.username, "Trình ký"),
        EventKind.APPROVED: lambda: workflow.approve(ctx, ld, code),
        EventKind.SUPPLEMENT_REQUESTED: lambda: workflow.request_supplement(
            ctx, ld if unit == "MOTCUA" else cv, code, "Thiếu giấy tờ", ["Bản sao giấy khai sinh"]),
        EventKind.SUPPLEMENT_RECEIVED: lambda: workflow.record_supplement(ctx, ctx.clerk, code),
        EventKind.PAYMENT_REQUESTED: lambda: workflow.request_payment(ctx, cv, code, 50_000),
        EventKind.PAYMENT_RECEIVED: lambda: workflow.record_payment(ctx, cv, code),
        EventKind.RESULT_READY: lambda: workflow.result_ready(ctx, cv, code),
        EventKind.RETURNED: lambda: workflow.return_result(ctx, ctx.clerk, code),
        EventKind.REFUSED: lambda: workflow.refuse(ctx, cv, code, ["Không đủ điều kiện"]),
        EventKind.WITHDRAWN: lambda: workflow.withdraw(ctx, ctx.clerk, code, "Công dân xin rút"),
        EventKind.STOPPED: lambda: workflow.stop(ctx, ld, code, "Dừng theo đề nghị"),
        EventKind.APPOINTMENT_MOVED: apologise,
    }


def _state(ctx, code) -> lifecycle.DossierState:
    with ctx.db.session(write=False) as s:
        return projection.state_of(repo.dossier_by_code(s, code), projection.Units(s))


def _event_count(ctx, code) -> int:
    with ctx.db.session(write=False) as s:
        return len(repo.events_of(s, code))


ENDINGS = {EventKind.WITHDRAWN, EventKind.REFUSED, EventKind.STOPPED}


def _key(ctx, code: str, key: str | None = None) -> str:
    return key or parse_capability_url(counter.details(ctx, code).capability_url).key


def _walk(ctx, clock: Clock, code: str, data, key: str | None = None) -> None:
    for _ in range(data.draw(st.integers(1, 22), "steps")):
        clock.now += timedelta(minutes=data.draw(st.integers(0, 60 * 30), "minutes"))
        state = _state(ctx, code)
        calls = _calls(ctx, state, data)
        allowed = sorted((k for k in calls if lifecycle.check(state, k) is None), key=lambda k: k.value)
        refused = sorted((k for k in calls if lifecycle.check(state, k) is not None), key=lambda k: k.value)
        if refused and data.draw(st.integers(0, 9), "try a refused step") == 0:
            kind = data.draw(st.sampled_from(refused), "refused kind")
            before = _event_count(ctx, code)
            with pytest.raises(ServiceError):
                calls[kind]()
            assert _event_count(ctx, code) == before, kind  # nothing written
            continue
        if not allowed:
            return
        # mostly forward, now and then an ending (withdrawal, refusal, stop), so walks go deep
        onward = [k for k in allowed if k not in ENDINGS]
        pool = onward if onward and data.draw(st.integers(0, 11), "end now") else allowed
        kind = data.draw(st.sampled_from(pool), "kind")
        try:
            calls[kind]()
        except ServiceError:
            pass  # a business rule of the service (same unit, no second apology...): nothing happened
        if data.draw(st.integers(0, 7), "rate") == 0 and _state(ctx, code).rating is None:
            kiosk.rate(ctx, ctx.kiosk_user, code, _key(ctx, code, key), data.draw(st.sampled_from(
                ["very_satisfied", "satisfied", "unsatisfied"]), "level"))


def _columns(row) -> dict:
    return {c.key: getattr(row, c.key) for c in type(row).__table__.columns}


LOCAL = [f for f in lifecycle.STATE_FIELDS if f not in projection.NOT_STORED]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_replaying_a_walk_gives_the_rows_the_services_stored(world, data):
    server, actor, watcher, clock = world
    clock.now = desks.vn_now()  # numbers are leased for today (and the next days) only
    code = desks.intake(actor)
    _walk(actor, clock, code, data)
    _all_agree(server, actor, watcher, clock, code)


def _all_agree(server, actor, watcher, clock, code: str, key: str | None = None) -> None:
    # 1. At the desk that took the steps: the fold of its events is its row, column by column,
    # and replaying them into the row changes no column.
    with actor.db.session(write=False) as s:
        d = repo.dossier_by_code(s, code)
        events = list(repo.events_of(s, code))
        units = projection.Units(s)
        folded = lifecycle.fold(events, strict=True)
        assert lifecycle.columns(projection.state_of(d, units)) == {**lifecycle.columns(folded),
                                                                     "key_sha256": "", "procedure_code": "",
                                                                     "procedure_name": "", "receiver": None}
        stored = _columns(d)
        projection.replay(d, events, units)
        assert _columns(d) == stored
        s.rollback()

    # 2. On the server, after a sync: the same state in its row.
    report = sync.sync_once(actor)
    assert report.conflicts == 0 and report.refused == 0, report
    with server.database().session(write=False) as s:
        from central_server.models import DossierState
        row = s.get(DossierState, code)
        server_state = {f: getattr(row, f) for f in lifecycle.STATE_FIELDS}
    expected = lifecycle.columns(folded)
    assert {k: v for k, v in server_state.items() if k not in projection.NOT_STORED} == \
           {k: v for k, v in expected.items() if k not in projection.NOT_STORED}
    assert server_state["procedure_code"] == folded.procedure_code and server_state["key_sha256"]

    # 3. At a desk that pulled the events: its replayed row is the same state.
    sync.sync_once(watcher)
    with watcher.db.session(write=False) as s:
        pulled = projection.state_of(repo.dossier_by_code(s, code), projection.Units(s))
    assert {f: getattr(pulled, f) for f in LOCAL} == {f: getattr(folded, f) for f in LOCAL}

    # 4. The citizen's page on the server says what the kiosk says, judged at the same moment.
    clock.now = desks.vn_now()
    key = _key(actor, code, key)
    body = httpx.get(server.url + "/api/v1/public/dossiers/" + code, params={"k": key}).json()
    view = kiosk.lookup(actor, actor.kiosk_user, code, key)
    assert body["verdict"] == view.verdict.value and body["verdict_text"] == view.verdict_text
    assert body["status_text"] == view.status_text
    assert [x["label"] for x in body["steps"]] == [x.text for x in view.timeline]
    assert datetime.fromisoformat(body["appointment_at"]) == view.due_at


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_an_online_submission_walks_to_the_same_truth_everywhere(world, data):
    """Submitted on the server's pages, checked at the counter (papers asked for and added on
    the page, then accepted or refused), then walked like any dossier: the same rows everywhere."""
    _online_walk(world, data)


def _online_walk(world, data):
    import re
    from desk_app.services import online
    from tests.sync.test_online import Citizen, owner_fields, photo
    server, actor, watcher, clock = world
    clock.now = desks.vn_now()
    sync.sync_once(actor)  # the centre's profile and catalogue are on the server
    citizen = Citizen(server)
    citizen.start(actor_agency(actor))
    citizen.post(owner_fields(action="save"), files=[("c0", ("a.jpg", photo(1), "image/jpeg")),
                                                     ("c1", ("b.jpg", photo(2), "image/jpeg"))])
    link = citizen.post({**owner_fields(), "action": "submit"}).headers["location"]
    code, key = re.match(r"/h/([^?]+)\?k=([^&]+)", link).groups()
    sync.sync_once(actor)
    for _ in range(data.draw(st.integers(0, 2), "papers asked for")):
        assert _state(actor, code).stage is Stage.ONLINE
        online.ask_for_papers(actor, actor.clerk, code, "Ảnh mờ", ["Giấy chứng sinh chụp rõ"])
        sync.sync_once(actor)
        page = citizen.http.get(link).text
        token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
        r = citizen.http.post("/h/%s/bo-sung" % code, data={"k": key, "token": token},
                              files=[("files", ("cs.jpg", photo(3), "image/jpeg"))])
        assert r.status_code == 303 and "ok=supplement" in r.headers["location"], r.text[:300]
        sync.sync_once(actor)
    clock.now += timedelta(minutes=data.draw(st.integers(0, 60 * 30), "minutes"))
    if data.draw(st.integers(0, 5), "refuse") == 0:
        online.refuse(actor, actor.clerk, code, ["Không đủ điều kiện"])
    else:
        online.accept(actor, actor.clerk, code)
        _walk(actor, clock, code, data, key)
    _all_agree(server, actor, watcher, clock, code, key)


def actor_agency(ctx) -> str:
    from desk_app.services import setup
    return setup.agency(ctx).code

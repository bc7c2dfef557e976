"""Desks apart acting on the same dossier, and desks whose clocks disagree."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from desk_app.domain.dossier import Status
from desk_app.services import auth, sync, workflow
from tests.central_server import kit
from tests.sync import desks


def pair(server, tmp_path, counter_clock=None, dept_clock=None):
    agency = kit.new_agency()
    counter = desks.enrolled_desk(tmp_path, server, "quay-" + agency, agency, ["MOTCUA"], counter_clock)
    dept = desks.enrolled_desk(tmp_path, server, "stp-" + agency, agency, ["STP"], dept_clock)
    return counter, dept


def status(ctx, code) -> Status:
    from desk_app.services import counter
    return counter.details(ctx, code).summary.status


@pytest.mark.parametrize("first", ["counter", "department"])
def test_two_desks_acting_while_apart_get_one_outcome_and_see_the_conflict(shared_server, tmp_path, first):
    counter, dept = pair(shared_server, tmp_path)
    code = desks.intake(counter)
    workflow.transfer(counter, counter.clerk, code, "STP")
    sync.sync_once(counter)
    sync.sync_once(dept)
    specialist = dept.people["cv_stp"]
    workflow.receive(dept, specialist, code)
    sync.sync_once(dept)
    sync.sync_once(counter)
    # Apart: the citizen withdraws at the counter while the department finishes the work.
    workflow.withdraw(counter, counter.clerk, code, "Công dân xin rút hồ sơ")
    workflow.result_ready(dept, specialist, code)
    winner, loser = (counter, dept) if first == "counter" else (dept, counter)
    assert sync.sync_once(winner).conflicts == 0
    assert sync.sync_once(loser).conflicts == 1
    sync.sync_once(winner)
    expected = Status.WITHDRAWN if first == "counter" else Status.RESULT_READY
    for ctx in (counter, dept):
        assert status(ctx, code) is expected  # the same outcome at both desks, decided by the server's order
        (c,) = sync.conflicts(ctx)              # and both see what was not accepted, and why
        assert c.dossier_code == code and c.own is (ctx is loser) and "Không thể" in c.reason
        assert c.desk == loser.desk_id
    assert [h.kind for h in sync.history(counter, code)] == [h.kind for h in sync.history(dept, code)]
    assert all(h.server_seq is not None for h in sync.history(loser, code))  # the refused step is out
    sync.acknowledge_conflict(loser, c.event_id)
    assert sync.conflicts(loser) == [] and sync.status(loser).conflicts == 0


def test_clock_skew_does_not_reorder_a_dossiers_history(shared_server, tmp_path):
    ahead, behind = desks.SkewedClock(timedelta(hours=3)), desks.SkewedClock(timedelta(hours=-5))
    counter, dept = pair(shared_server, tmp_path, ahead, behind)
    key_holder = {}
    code = desks.intake(counter)
    workflow.transfer(counter, counter.clerk, code, "STP")
    sync.sync_once(counter)
    sync.sync_once(dept)
    specialist, leader = dept.people["cv_stp"], dept.people["ld_stp"]
    workflow.receive(dept, specialist, code)           # by the department's clock, hours before intake
    workflow.assign(dept, leader, code, "cv_stp")
    workflow.result_ready(dept, specialist, code)
    workflow.transfer(dept, specialist, code, "MOTCUA")
    sync.sync_once(dept)
    sync.sync_once(counter)
    workflow.receive(counter, counter.clerk, code)
    sync.sync_once(counter)
    sync.sync_once(dept)
    walk = ["received", "transferred", "arrived", "assigned", "result_ready", "transferred", "arrived"]
    for ctx in (counter, dept):
        history = sync.history(ctx, code)
        assert [h.kind.value for h in history if h.kind.value != "form_printed"] == walk  # + two slips printed
        times = [h.at for h in history]
        assert times != sorted(times)  # the clocks say otherwise, and do not win
        assert [h.server_seq for h in history] == sorted(h.server_seq for h in history)
    assert status(counter, code) is Status.RESULT_READY
    del key_holder


def test_the_public_status_needs_the_key_and_says_the_same_for_a_wrong_one(shared_server, tmp_path):
    from desk_app.services import receipts
    from desk_app.domain.codes import parse_capability_url
    counter, _ = pair(shared_server, tmp_path)
    code = desks.intake(counter)
    from desk_app.services.counter import details
    link = parse_capability_url(details(counter, code).capability_url)
    workflow.transfer(counter, counter.clerk, code, "STP")
    sync.sync_once(counter)
    url = shared_server.url + "/api/v1/public/dossiers/"
    ok = httpx.get(url + code, params={"k": link.key})
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == 4 and body["holder_unit"] == "STP"
    # the citizen's words, the same as the kiosk's (one table, in the domain)
    from desk_app.services import auth, kiosk
    from desk_app.domain.roles import Role
    kiosk_user = auth.create_user(counter, "kiosk", "Kiosk", Role.KIOSK, "matkhau-kiosk")
    view = kiosk.lookup(counter, kiosk_user, code, link.key)
    assert [s["label"] for s in body["steps"]] == [s.text for s in view.timeline] == [
        "Bộ phận Một cửa nhận hồ sơ", "Chuyển hồ sơ đến " + view.holder]
    assert body["verdict_text"] == view.verdict_text and body["status_text"] == view.status_text
    assert "Nguyễn" not in ok.text and "038190012345" not in ok.text  # nothing personal
    wrong_key = httpx.get(url + code, params={"k": "A" * 22})
    unknown = httpx.get(url + code[:-4] + "9999", params={"k": link.key})
    header_key = httpx.get(url + code, headers={"X-Dossier-Key": link.key})
    assert header_key.status_code == 200
    assert wrong_key.status_code == unknown.status_code == 404
    assert wrong_key.content == unknown.content
    # a reprint with a new key: the old QR stops working once the desk has synced
    admin_user = auth.login(counter, "admin", desks.PASSWORD)
    receipts.produce(counter, admin_user, code, replace_key=True)
    sync.sync_once(counter)
    assert httpx.get(url + code, params={"k": link.key}).status_code == 404
    new = parse_capability_url(details(counter, code).capability_url)
    assert httpx.get(url + code, params={"k": new.key}).status_code == 200


def test_status_lookups_are_limited_per_client(server_factory, backend):
    server = server_factory(backend, public_rate=0.5, public_burst=5)
    url = server.url + "/api/v1/public/dossiers/000.00.06.H56-261110-0001"
    with httpx.Client() as client:
        answers = [client.get(url, params={"k": "A" * 22}) for _ in range(8)]
    assert [a.status_code for a in answers[:5]] == [404] * 5
    limited = answers[5]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "thử lại" in limited.json()["message"]

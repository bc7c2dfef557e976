"""A counter desk and a department desk, each its own process with its own database, and the
real server between them: transfer at one, receive at the other, result back."""

from __future__ import annotations

import pytest

from tests.central_server import kit
from tests.sync import desks
from tests.sync.agents import DeskProcess


@pytest.fixture
def two_desks(shared_server, tmp_path):
    agency = kit.new_agency()
    ids = ("quay-" + agency, "stp-" + agency)
    for desk_id, units in zip(ids, (["MOTCUA"], ["STP"])):
        desks.enrolled_desk(tmp_path, shared_server, desk_id, agency, units).db.dispose()
    counter, dept = DeskProcess(tmp_path, ids[0]), DeskProcess(tmp_path, ids[1])
    yield counter, dept, tmp_path
    counter.close()
    dept.close()


def test_transfer_receive_and_result_back_in_order_at_both_ends(two_desks):
    counter, dept, tmp = two_desks
    scan = desks.attachment(tmp, "giay-chung-sinh.pdf", 120_000)
    code = counter("intake", files=[str(scan)])["code"]
    counter("step", name="transfer", user="tiepnhan", args=[code, "STP"])
    counter("sync")
    assert dept("sync")["pulled"] == 4  # received, attachment, transferred, the control slip printed
    dept("step", name="receive", user="cv_stp", args=[code])
    dept("step", name="assign", user="ld_stp", args=[code, "cv_stp"])
    dept("step", name="forward", user="cv_stp", args=[code, "ld_stp"])
    dept("step", name="approve", user="ld_stp", args=[code])
    dept("step", name="result_ready", user="cv_stp", args=[code])
    dept("step", name="transfer", user="cv_stp", args=[code, "MOTCUA"])
    dept("sync")
    counter("sync")
    counter("step", name="receive", user="tiepnhan", args=[code])
    assert counter("step", name="return_result", user="tiepnhan", args=[code])["status"] == 10
    counter("sync")
    dept("sync")

    walk = ["received", "attachment_added", "transferred", "arrived", "assigned", "forwarded", "approved",
            "result_ready", "transferred", "arrived", "returned"]
    a, b = counter("dump"), dept("dump")
    for state in (a, b):
        assert state["integrity"] == "ok" and state["unsent"] == 0 and not state["conflicts"]
        assert state["dossiers"][code]["status"] == 10
        kinds = {e["id"]: e["kind"] for e in state["events"]}
        # each transfer printed its control slip: a FORM_PRINTED event right after it
        assert [kinds[i] for i in state["histories"][code] if kinds[i] != "form_printed"] == walk
        assert [kinds[i] for i in state["histories"][code]].count("form_printed") == 2
        assert len(state["events"]) == len({e["id"] for e in state["events"]})  # none applied twice
    assert a["histories"][code] == b["histories"][code]  # the same order at both ends
    seqs = {e["id"]: e["server_seq"] for e in a["events"]}
    assert [seqs[i] for i in a["histories"][code]] == sorted(seqs[i] for i in a["histories"][code])
    # the department has the scan, byte for byte
    import hashlib
    (att,) = b["attachments"]
    assert att["sha256"] == hashlib.sha256(scan.read_bytes()).hexdigest()
    assert hashlib.sha256(open(att["path"], "rb").read()).hexdigest() == att["sha256"]
    # what the counter's screen shows
    details = counter("details", code=code)
    assert details["status"] == 10 and [k for k in details["history"] if k != "form_printed"] == walk


def test_the_background_runner_sends_a_new_dossier_without_being_asked(two_desks, shared_server):
    counter, dept, tmp = two_desks
    counter("start_runner", interval=3600)  # only a local change can start a round now
    code = counter("intake")["code"]
    db = shared_server.database()
    from sqlalchemy import select
    from central_server.models import DossierState

    def arrived():
        with db.session(write=False) as s:
            return s.get(DossierState, code) is not None
    kit.wait_until(arrived, 60, "the runner to push the new dossier")
    db.dispose()
    counter("stop_runner")

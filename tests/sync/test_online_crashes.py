"""Nothing lost, nothing half: the central server killed (SIGKILL, as a power cut) in the middle
of an online submission's upload and in the middle of submissions' commits.

* During a piece of an upload: the piece in flight is not kept, every piece before it is;
  after the restart the phone asks for the offset and resumes from there, and the file made
  from it is the clean PDF it would have been.
* During submitting: at random moments while several drafts are submitted at once. After each
  restart, every draft is either submitted whole (its dossier, its ``submitted_online`` event,
  its files' references) or not at all (no dossier, no event, the draft still open); submitting
  the open ones again works, and each dossier exists once.
"""

from __future__ import annotations

import random
import re
import threading
import time

import httpx
from sqlalchemy import func, select

from central_server.models import DossierState, OnlineDraft, OnlineFileRef, ServerEvent
from desk_app.services import sync
from tests.central_server import kit
from tests.central_server.online import photosim
from tests.sync import desks
from tests.sync.test_online import PROC, Citizen, owner_fields, photo


def _counter(server, tmp_path):
    agency = kit.new_agency()
    ctx = desks.enrolled_desk(tmp_path, server, "quay-" + agency, agency, ["MOTCUA"])
    sync.sync_once(ctx)
    ctx.agency = agency
    return ctx


def test_a_kill_in_the_middle_of_a_piece_keeps_every_piece_before_it(server, tmp_path):
    ctx = _counter(server, tmp_path)
    citizen = Citizen(server)
    citizen.start(ctx.agency)
    data = photosim.photograph(photosim.paper_page(21), seed=21).jpeg   # a 12-megapixel phone photo
    h = {"X-Draft-Token": citizen.token}
    raw = {**h, "Content-Type": "application/octet-stream"}
    start = citizen.http.post(citizen.draft + "/tai-len", json={"component": 0, "size": len(data), "name": "a.jpg"},
                              headers=h).json()
    piece, uid = start["piece"], start["id"]
    assert len(data) > 2 * piece
    r = citizen.http.put(citizen.draft + "/tai-len/%s?offset=0" % uid, content=data[:piece], headers=raw)
    assert r.json()["offset"] == piece

    def slow_piece():  # the second piece trickles in; the server dies while it arrives
        chunk = data[piece:2 * piece]
        for i in range(0, len(chunk), 4096):
            yield chunk[i:i + 4096]
            time.sleep(0.01)
    failed = []

    def send():
        try:
            httpx.put(server.url + citizen.draft + "/tai-len/%s?offset=%d" % (uid, piece), content=slow_piece(),
                      headers={**raw, "Origin": server.url, "Content-Length": str(piece)}, timeout=30)
        except httpx.HTTPError as e:
            failed.append(e)
    t = threading.Thread(target=send)
    t.start()
    time.sleep(0.2)
    server.kill()
    t.join(30)
    assert failed, "the piece was meant to be cut by the kill"
    server.start()
    citizen.http = httpx.Client(base_url=server.url, timeout=60, headers={"Origin": server.url})
    offset = int(citizen.http.head(citizen.draft + "/tai-len/" + uid).headers["upload-offset"])
    assert offset == piece                      # the piece in flight is not kept; the first one is
    while offset < len(data):
        r = citizen.http.put(citizen.draft + "/tai-len/%s?offset=%d" % (uid, offset),
                             content=data[offset:offset + piece], headers=raw)
        assert r.status_code == 200, r.text
        offset = r.json()["offset"]
    assert r.json()["done"] and r.json()["file"]["pages"] == 1
    page = citizen.http.get(citizen.draft).text
    assert page.count("1 trang") == 1


def _check_whole_or_absent(server, drafts: dict[str, str]) -> dict[str, str]:
    """For every draft (token hash -> its link), submitted whole or not at all; the codes given."""
    db = server.database()
    codes = {}
    try:
        with db.session(write=False) as s:
            rows = {d.token_hash: d for d in s.scalars(select(OnlineDraft))}
            events = s.execute(select(ServerEvent.dossier_code, func.count()).where(
                ServerEvent.kind == "submitted_online").group_by(ServerEvent.dossier_code)).all()
            by_code = dict(events)
            for h in drafts:
                d = rows[h]
                if d.dossier_code is None:
                    continue
                codes[h] = d.dossier_code
                assert by_code.get(d.dossier_code) == 1, d.dossier_code
                assert s.get(DossierState, d.dossier_code).stage == "online"
                refs = s.scalar(select(func.count()).select_from(OnlineFileRef)
                                .where(OnlineFileRef.dossier_code == d.dossier_code))
                assert refs == 2
            # no event, dossier or file reference of a submission that did not commit
            assert set(by_code) == set(codes.values())
            states = set(s.scalars(select(DossierState.code).where(DossierState.stage == "online")))
            assert states == set(codes.values())
    finally:
        db.dispose()
    return codes


def test_kills_while_submitting_leave_each_submission_whole_or_absent(server, tmp_path):
    import hashlib
    ctx = _counter(server, tmp_path)
    rng = random.Random(7)
    citizens = []
    for i in range(6):
        c = Citizen(server)
        c.start(ctx.agency, PROC)
        r = c.post(owner_fields(action="save"), files=[("c0", ("a.jpg", photo(30 + i), "image/jpeg")),
                                                       ("c1", ("b.jpg", photo(40 + i), "image/jpeg"))])
        assert r.status_code == 303, r.text
        c.hash = hashlib.sha256(c.draft.rsplit("/", 1)[1].encode()).hexdigest()
        citizens.append(c)
    drafts = {c.hash: c.draft for c in citizens}
    done: dict[str, str] = {}
    for trial in range(6):
        pending = [c for c in citizens if c.hash not in done]
        if not pending:
            break

        def submit(c):
            try:
                c.post({**owner_fields(), "action": "submit"})
            except httpx.HTTPError:
                pass
        threads = [threading.Thread(target=submit, args=(c,)) for c in pending]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.0, 0.4))
        server.kill()
        for t in threads:
            t.join(30)
        server.start()
        for c in citizens:
            c.http = httpx.Client(base_url=server.url, timeout=60, headers={"Origin": server.url})
        done = _check_whole_or_absent(server, drafts)
    # the ones the kills interrupted are submitted now, once
    for c in citizens:
        if c.hash not in done:
            r = c.post({**owner_fields(), "action": "submit"})
            assert r.status_code == 303, r.text
    done = _check_whole_or_absent(server, drafts)
    assert len(done) == len(citizens) == len(set(done.values()))
    for c in citizens:  # a submitted draft's link leads to its dossier
        r = c.http.get(c.draft)
        assert r.status_code == 303 and re.match(r"/h/%s\?k=" % re.escape(done[c.hash]), r.headers["location"])

"""A catch-up writes the dossiers it brings in bulk (``sync_repo.apply_page``): a department
desk that pulled a batch of walked dossiers page by page holds exactly the rows, column by
column, of a desk that applied the same events one at a time through the per-dossier path
(``project``, which every other change of a dossier still takes); and its statistics' roll-up by
day (``stats_days``, kept by triggers, which a bulk write could pass by) gives the figures counted
from its rows."""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta

from desk_app.domain.roles import Role
from desk_app.services import auth, statistics, sync
from desk_app.storage import sync_repo
from tests.central_server import kit
from tests.sync import desks
from tests.services.test_statistics_rollup import _built_again, _rollup
from tests.sync.test_one_truth import Clock, _walk


class Draws:
    """``data.draw`` of the walks in ``test_one_truth``, from a seeded generator (the walks
    draw integers and choices only)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def draw(self, strategy, label=None):
        inner = getattr(strategy, "wrapped_strategy", strategy)
        if hasattr(inner, "elements"):
            return self.rng.choice(list(inner.elements))
        return self.rng.randint(inner.start, inner.end)


class Recording:
    """The desk's client, keeping every page it pulled."""

    def __init__(self, client):
        self.client, self.pages = client, []

    def __getattr__(self, name):
        return getattr(self.client, name)

    def pull(self, after, limit=1000):
        page = self.client.pull(after, limit)
        self.pages.append(page)
        return page


TABLES = {  # what a pull writes; the accounts and procedures a pull adds are told by their marks
    "dossiers": "SELECT * FROM dossiers ORDER BY id",
    "dossiers_named": "SELECT d.code, u.username, p.code, p.version FROM dossiers d JOIN users u ON u.id = d.clerk_id "
                      "JOIN procedures p ON p.id = d.procedure_id ORDER BY d.code",
    "events": "SELECT * FROM events ORDER BY seq",
    "unseen_dossiers": "SELECT * FROM unseen_dossiers ORDER BY dossier_code",
    # (the desk that synced then fetched the files: when is its own)
    "attachment_downloads": "SELECT event_id, sha256, dossier_code, filename, size, added_at, queued_at "
                            "FROM attachment_downloads ORDER BY event_id",
    "sync_conflicts": "SELECT * FROM sync_conflicts ORDER BY event_id",
    "stats_days": "SELECT * FROM stats_days WHERE received OR finished OR early OR on_time OR late OR seconds "
                  "OR supplements OR very_satisfied OR satisfied OR unsatisfied ORDER BY dim, key, day",
    "units": "SELECT * FROM units ORDER BY id",
    "remote_users": "SELECT id, username, full_name, role, password_hash, active, created_at FROM users "
                    "WHERE password_hash = '!' ORDER BY id",
}


def _tables(ctx) -> dict[str, list]:
    ctx.db.dispose()
    con = sqlite3.connect(ctx.db.path)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        con.close()


def test_a_catch_up_in_bulk_gives_the_rows_of_the_events_applied_one_by_one(shared_server, tmp_path, monkeypatch):
    agency = kit.new_agency()
    clock = Clock(desks.vn_now())
    actor = desks.enrolled_desk(tmp_path, shared_server, "quay-" + agency, agency, ["MOTCUA", "STP", "VPDKDD"],
                                clock)
    actor.print_forms = False
    actor.kiosk_user = auth.create_user(actor, "kiosk", "Kiosk", Role.KIOSK, desks.PASSWORD)
    for n in range(24):  # dossiers taken in and walked by the real services, some far, some not at all
        clock.now = desks.vn_now() + timedelta(minutes=n)
        files = [desks.attachment(tmp_path, "scan-%d.pdf" % n, 2_000)] if n % 7 == 0 else None
        code = desks.intake(actor, files)
        if n % 5:
            _walk(actor, clock, code, Draws(n))
    report = sync.sync_once(actor)
    assert report.pushed > 100 and report.conflicts == 0 and report.refused == 0, report

    # the department's desk catches up in small pages, so dossiers straddle pages (the second
    # page finds the dossier held and applies to it what follows)
    pull_clock = Clock(desks.vn_now())
    dept = desks.enrolled_desk(tmp_path, shared_server, "stp-" + agency, agency, ["STP"], pull_clock)
    monkeypatch.setattr(sync, "PAGE", 23)
    client = Recording(sync.client_for(dept))
    report = sync.sync_once(dept, client=client)
    client.close()
    events = [e for page in client.pages for e in page["events"]]  # a page may repeat an earlier one's
    # how many events the department sees depends on the walks' draws and the day's hours; what
    # matters is that they straddle several pages
    assert report.pulled == len({e["id"] for e in events}) > 70 and report.dossiers_received > 10
    assert len(client.pages) >= 4
    assert sync.sync_once(dept).pulled == 0                   # the catch-up left nothing behind

    # the reference: the same events, one at a time, each dossier through ``project``
    reference = desks.make_desk(tmp_path, "stp2-" + agency, agency, pull_clock)
    for e in events:
        with reference.db.session() as s:
            sync_repo.apply_page(s, {"events": [e], "conflicts": []}, reference.desk_id, pull_clock(),
                                 reference.calendar(), bulk=False)

    got, want = _tables(dept), _tables(reference)
    assert len(got["dossiers"]) == report.dossiers_received
    assert got["attachment_downloads"], "an intake with a scan was among them"
    for name in TABLES:
        assert got[name] == want[name], name

    # the roll-up the catch-up's bulk writes left gives the figures counted from the rows, for
    # periods around the walks' days, as of the end of the catch-up and of later days
    leader = auth.login(dept, "ld_stp", desks.PASSWORD)
    today = pull_clock().date()
    received = 0
    for shift, length in ((-3, 0), (-1, 1), (0, 0), (0, 6), (-2, 40), (1, 3), (5, 20)):
        for later in (0, 3, 30):
            pull_clock.now = desks.vn_now() + timedelta(days=later)
            for group_by in statistics.GroupBy:
                start = today + timedelta(days=shift)
                args = (dept, leader, start, start + timedelta(days=length), group_by)
                report = statistics.compute(*args)
                assert report == statistics.compute_from_rows(*args), (shift, length, later, group_by)
                received = max(received, report.total.received)
    assert received, "the dossiers the department pulled are in the periods"
    kept = _rollup(dept)
    assert kept and _built_again(dept) == kept

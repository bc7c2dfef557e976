"""The window in which a notice can go twice: the server killed after the provider accepted a
notice and before its row was marked sent. Only that notice goes again after the restart; the
ones before it (recorded one by one as their answers came) do not."""

from __future__ import annotations

import threading
import time

from tests.central_server import kit
from tests.central_server.test_zalo import fake, make_world  # noqa: F401 (fixture)


def test_a_kill_after_the_provider_accepted_duplicates_only_the_notice_in_flight(server_factory, tmp_path, fake):
    w = make_world(server_factory, tmp_path, "sqlite", fake, notify_worker=0, notify_concurrency=1)
    codes = [w.intake()[0] for _ in range(5)]                       # five 'received' notices, by ZNS
    kit.wait_until(lambda: all(len(w.outbox(c)) == 1 for c in codes), 20, "five notices queued")
    killed = threading.Event()

    def kill_at_the_third(item):                                    # the fake has accepted it; the server
        if len(fake.received) == 3 and not killed.is_set():         # never gets the answer
            killed.set()
            w.server.kill()
    fake.on_receive = kill_at_the_third
    w.server.env["DESK_SERVER_NOTIFY_WORKER"] = "1"
    w.server.kill()
    w.server.start()
    kit.wait_until(killed.is_set, 30, "the kill")
    fake.on_receive = None
    w.server.start()
    kit.wait_until(lambda: len(fake.received) >= 6, 30, "the rest sent")
    time.sleep(1.5)                                                 # and nothing more
    tracking = [m["tracking_id"] for m in fake.received]
    assert len(tracking) == 6, tracking
    once = sorted(set(tracking))
    assert len(once) == 5
    twice = [t for t in once if tracking.count(t) == 2]
    assert twice == [tracking[2]]                                   # the one in flight at the kill
    assert {s for c in codes for _, _, s, _ in w.outbox(c)} == {"sent"}

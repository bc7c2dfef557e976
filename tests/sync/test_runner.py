"""The background runner and its backoff, without a server: rounds are plain functions."""

from __future__ import annotations

import random
import threading

from desk_app.sync.backoff import Backoff
from desk_app.sync.client import Unreachable
from desk_app.sync.runner import SyncRunner
from tests.central_server.kit import wait_until


def test_backoff_grows_to_its_cap_with_jitter_and_resets():
    b = Backoff(base=2, cap=60, rng=random.Random(1))
    delays = [b.next() for _ in range(8)]
    ceilings = [2, 4, 8, 16, 32, 60, 60, 60]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings))
    other = Backoff(base=2, cap=60, rng=random.Random(2))
    assert [other.next() for _ in range(8)] != delays  # desks that failed together retry apart
    b.reset()
    assert 1 <= b.next() <= 2


class Rounds:
    """A round function that records calls and can be told to fail."""

    def __init__(self):
        self.calls = 0
        self.fail_with = None
        self.changed = threading.Event()

    def __call__(self, progress):
        self.calls += 1
        progress("Đang gửi sự kiện", 1, 2)
        if self.fail_with:
            raise self.fail_with
        return self.calls


def test_the_runner_syncs_on_poke_backs_off_after_failure_and_stops():
    rounds = Rounds()
    events = []
    runner = SyncRunner(rounds, events.append, interval=3600, backoff=Backoff(base=3600, cap=3600)).start()
    try:
        wait_until(lambda: runner.rounds == 1, 10, "the first round")
        assert [e.kind for e in events] == ["started", "progress", "succeeded"] and events[-1].result == 1
        rounds.fail_with = Unreachable("Không kết nối được máy chủ trung tâm.")
        runner.poke()
        wait_until(lambda: runner.rounds == 2, 10, "the poked round")
        failed = events[-1]
        assert failed.kind == "failed" and failed.message == "Không kết nối được máy chủ trung tâm."
        assert 1800 <= failed.retry_in <= 3600
        rounds.fail_with = None
        runner.poke()  # the clerk presses "sync now" while the runner is backing off
        wait_until(lambda: runner.rounds == 3, 10, "the round after the failure")
        assert events[-1].kind == "succeeded" and runner.backoff.failures == 0
    finally:
        runner.stop()
    assert events[-1].kind == "stopped" and not runner.alive


def test_a_local_change_starts_a_round_at_once():
    rounds = Rounds()
    outbox = {"n": 0}
    runner = SyncRunner(rounds, interval=3600, change_probe=lambda: outbox["n"], probe_every=0.01).start()
    try:
        wait_until(lambda: runner.rounds == 1, 10, "the first round")
        outbox["n"] += 1  # an intake wrote an event and its outbox row
        wait_until(lambda: runner.rounds == 2, 10, "the round the change started")
    finally:
        runner.stop()


def test_a_broken_listener_does_not_stop_the_runner():
    rounds = Rounds()

    def listener(event):
        raise RuntimeError("a window that went away")
    runner = SyncRunner(rounds, listener, interval=3600).start()
    try:
        wait_until(lambda: runner.rounds == 1, 10, "the first round")
        runner.poke()
        wait_until(lambda: runner.rounds == 2, 10, "a second round")
    finally:
        runner.stop()

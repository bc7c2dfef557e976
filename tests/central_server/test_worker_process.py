"""The notices' worker process beside the web processes of ``desk-app server``: started again
when it dies while the server runs (the webhook's calls and the notices keep being worked on),
and gone by itself when the server process is killed outright (no ``finally`` ran)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from tests.central_server import kit
from tests.central_server.test_zalo import APP_ID, OA_ID, OA_SECRET, fake, zalo_env  # noqa: F401 (fixture)
from tests.central_server.zalo_fake import signed, text_event


def _process(pid: int) -> tuple[int, str, list[bytes]] | None:
    """(parent pid, state, command line) of a live process; None once it is gone or a zombie."""
    try:
        stat = Path("/proc/%d/stat" % pid).read_text()
        cmdline = Path("/proc/%d/cmdline" % pid).read_bytes().split(b"\0")
    except OSError:
        return None
    state, ppid = stat.rsplit(")", 1)[1].split()[:2]
    return None if state in ("Z", "X") else (int(ppid), state, cmdline)


def _workers(server_pid: int) -> list[int]:
    """The live worker processes the server process started (``central_server worker``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        info = _process(int(entry.name))
        if info and info[0] == server_pid and b"central_server" in info[2] and b"worker" in info[2]:
            found.append(int(entry.name))
    return found


def _the_worker(server: kit.ServerProcess) -> int:
    pids = kit.wait_until(lambda: _workers(server.proc.pid), 30, "the worker process")
    assert len(pids) == 1, pids
    return pids[0]


def _helped(server: kit.ServerProcess, fake, user: str) -> None:
    """A user linked to no dossier writes; the worker works on the call and sends the help text."""
    raw, headers = signed(text_event(user, "xin chào", OA_ID), APP_ID, OA_SECRET)
    r = httpx.post(server.url + "/zalo/webhook", content=raw, headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    kit.wait_until(lambda: any(m["to"] == user for m in fake.received), 30, "the help text sent to " + user)


@pytest.mark.parametrize("workers", [1, 2])   # uvicorn's Server, and its Multiprocess
def test_a_killed_worker_is_started_again_and_works_on_the_webhook(server_factory, fake, workers):
    server = server_factory("sqlite", env=zalo_env(fake), workers=workers)
    _helped(server, fake, "u-before")
    first = _the_worker(server)
    os.kill(first, signal.SIGKILL)                               # the OOM killer, say
    second = kit.wait_until(lambda: [p for p in _workers(server.proc.pid) if p != first], 30,
                            "another worker process")
    assert len(second) == 1 and _process(first) is None
    _helped(server, fake, "u-after")                             # the new one does the work
    assert httpx.get(server.url + "/api/v1/health", timeout=5).status_code == 200
    assert fake.problems == []
    server.stop()                                                # SIGTERM to the group: a stop, no restart
    kit.wait_until(lambda: _process(second[0]) is None, 30, "the worker to stop with the server")
    assert server.log.read_text(errors="replace").count("started another") == 1


def test_the_worker_exits_by_itself_when_the_server_process_is_killed(server_factory, fake):
    server = server_factory("sqlite", env=zalo_env(fake))
    worker = _the_worker(server)
    try:
        os.kill(server.proc.pid, signal.SIGKILL)                 # the server alone, and no finally runs
        server.proc.wait(30)
        kit.wait_until(lambda: _process(worker) is None, 30, "the orphaned worker to exit")
    finally:
        try:
            os.killpg(server.proc.pid, signal.SIGKILL)           # whatever is left of the group
        except ProcessLookupError:
            pass

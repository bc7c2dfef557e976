"""Desk processes driven from the tests, one JSON command per line (see ``desk_proc.py``)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.central_server.kit import ROOT


class DeskProcess:
    def __init__(self, root: Path, desk_id: str, mode: str = "agent"):
        self.root, self.desk_id = root, desk_id
        self.log = root / ("%s-%s.log" % (desk_id, mode))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.desk_proc", mode, str(root), desk_id], cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(self.log, "ab"), text=True, bufsize=1)
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def answer(self, timeout: float = 120.0) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("desk %s did not answer; log:\n%s" % (self.desk_id, self.log.read_text()[-3000:]))
        if line is None:
            raise AssertionError("desk %s exited; log:\n%s" % (self.desk_id, self.log.read_text()[-3000:]))
        return line.strip()

    def __call__(self, op: str, **args) -> dict:
        self.send(json.dumps({"op": op, **args}, ensure_ascii=False))
        out = json.loads(self.answer())
        if not out.pop("ok"):
            raise AssertionError("desk %s: %s\n%s" % (self.desk_id, out["error"], out.get("trace", "")))
        return out

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send(json.dumps({"op": "quit"}) if "agent" in str(self.proc.args) else "quit")
                self.proc.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait(30)

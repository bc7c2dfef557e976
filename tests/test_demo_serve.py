"""`desk-app demo --no-gui --serve`: the demo's central server with the demo desk enrolled and
synced, and receipts whose QR point at it; stopped cleanly by SIGTERM, the server with it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_serves_its_dossiers_and_its_receipts_point_at_it(tmp_path):
    data = tmp_path / "demo"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-m", "desk_app.cli", "--data-dir", str(data), "demo", "--no-gui",
                             "--serve", "--port", "0", "--dossiers", "24"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Ctrl+C" in line:
                break
        output = "".join(lines)
        assert "Máy chủ trung tâm mẫu: http://" in output, output
        port = int((data / "server" / "port").read_text())
        local = "http://127.0.0.1:%d" % port
        assert httpx.get(local + "/api/v1/health").status_code == 200
        # the desk's events all reached the server, and none was refused
        import sqlite3
        server_db = sqlite3.connect(data / "server" / "server.sqlite3")
        desk_db = sqlite3.connect(data / "desk.sqlite3")
        sent, accepted = server_db.execute("SELECT count(*), sum(accepted) FROM events").fetchone()
        assert sent > 24 and sent == accepted
        assert desk_db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone() == (0,)
        # three citizens submitted online from their phones: waiting in the counter's queue
        assert desk_db.execute("SELECT count(*) FROM dossiers WHERE channel = 'online' AND stage = 'online'"
                               ).fetchone() == (3,)
        # a receipt printed from the demo data carries a link on this server, which knows it
        code = desk_db.execute("SELECT code FROM dossiers ORDER BY id LIMIT 1").fetchone()[0]
        pdf = tmp_path / "receipt.pdf"
        subprocess.run([sys.executable, "-m", "desk_app.cli", "--data-dir", str(data), "receipt", code, "-o", str(pdf)],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        from desk_app.domain.codes import parse_capability_url
        from desk_app.scanner.decode import decode_image
        import pypdfium2
        image = pypdfium2.PdfDocument(str(pdf))[0].render(scale=2).to_pil().convert("L")
        import numpy as np
        texts = [c.text for c in decode_image(np.asarray(image))]
        link = next(t for t in texts if t.startswith("http"))
        public = desk_db.execute("SELECT public_base_url FROM agency").fetchone()[0]
        assert link.startswith(public + "/h/" + code) and public.endswith(":%d" % port)
        parsed = parse_capability_url(link, public)
        status = httpx.get(local + "/api/v1/public/dossiers/" + code, params={"k": parsed.key})
        assert status.status_code == 200 and status.json()["code"] == code
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, "".join(lines) + (proc.stdout.read() or "")
    time.sleep(0.5)
    try:  # the demo's server stopped with it
        httpx.get(local + "/api/v1/health", timeout=2)
        raise AssertionError("the demo server still answers")
    except httpx.TransportError:
        pass


"""Consenting again without copying tokens: after a failed refresh the alert names the command;
the command prints Zalo's consent page (PKCE challenge, signed state); Zalo's callback (or the
command given the code) exchanges the code at the fake for a new pair, and the waiting notice
goes out. A forged, stale or replayed state or code changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import httpx

from central_server.settings import Settings
from central_server.zalo import consent
from tests.central_server import kit
from tests.central_server.test_zalo import APP_SECRET, OA_ID, World, fake, make_world  # noqa: F401 (fixture)

REDIRECT = "https://motcua.example.vn/zalo/oauth/callback"


def _broken_world(server_factory, tmp_path, fake) -> World:
    w = make_world(server_factory, tmp_path, "sqlite", fake, zalo_redirect_uri=REDIRECT)
    fake.refresh = "refresh-the-server-does-not-know"                # the admin must consent again
    fake.expire_access()
    w.intake()
    kit.wait_until(lambda: fake.refreshes >= 1, 20, "a refresh")
    # the server records the refused refresh a moment after the fake counted it
    kit.wait_until(lambda: (w.server.admin("GET", "/admin/notify").json()["zalo_tokens"] or {}).get("failure"),
                   20, "the refused refresh recorded")
    status = w.server.admin("GET", "/admin/notify").json()
    assert "desk-app server zalo-consent" in status["zalo_tokens"]["failure"]
    return w


def _command(w: World, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(kit.ROOT), **w.server.env)
    return subprocess.run([sys.executable, "-m", "central_server", "zalo-consent", "--database-url",
                           w.server.database_url, "--files-dir", str(w.server.files_dir), *args],
                          env=env, capture_output=True, text=True, timeout=60, cwd=kit.ROOT)


def _consent_page(w: World) -> dict:
    r = _command(w)
    assert r.returncode == 0, r.stderr
    url = urlsplit(r.stdout.strip())
    assert url.path == "/v4/oa/permission"
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert set(q) == {"app_id", "redirect_uri", "code_challenge", "state"} and q["redirect_uri"] == REDIRECT
    assert len(q["code_challenge"]) == 43 and "=" not in q["code_challenge"]
    assert "zalo-consent --code" in r.stderr
    return q


def test_the_callback_stores_the_new_pair_and_the_waiting_notice_goes(server_factory, tmp_path, fake):
    w = _broken_world(server_factory, tmp_path, fake)
    q = _consent_page(w)
    code = fake.consent(q["code_challenge"])                        # the admin agrees on Zalo's page
    callback = w.server.url + "/zalo/oauth/callback"
    forged = q["state"][:-4] + ("0000" if not q["state"].endswith("0000") else "1111")
    r = httpx.get(callback, params={"code": code, "state": forged, "oa_id": OA_ID})
    assert r.status_code == 400 and "không hợp lệ" in r.text
    r = httpx.get(callback, params={"code": code, "state": q["state"], "oa_id": "another-oa"})
    assert r.status_code == 400
    r = httpx.get(callback, params={"code": code, "state": q["state"], "oa_id": OA_ID})
    assert r.status_code == 200 and "Đã cấp quyền" in r.text, r.text
    assert [m["via"] for m in w.wait_received(1)] == ["zns"]       # the notice that waited
    status = w.server.admin("GET", "/admin/notify").json()
    assert status["zalo_tokens"]["failed_at"] is None
    r = httpx.get(callback, params={"code": code, "state": q["state"], "oa_id": OA_ID})   # replayed
    assert r.status_code == 400 and "chỉ dùng một lần" in r.text
    assert fake.problems == []


def test_the_command_takes_the_code_when_the_callback_is_not_reachable(server_factory, tmp_path, fake):
    w = _broken_world(server_factory, tmp_path, fake)
    q = _consent_page(w)
    code = fake.consent(q["code_challenge"])
    r = _command(w, "--code", code, "--state", "1.2.3")
    assert r.returncode == 2 and "không hợp lệ" in r.stderr
    r = _command(w, "--code", code, "--state", q["state"])
    assert r.returncode == 0, r.stderr
    assert [m["via"] for m in w.wait_received(1)] == ["zns"]
    assert fake.problems == []


def test_a_state_is_signed_and_expires():
    s = Settings(zalo_app_secret=APP_SECRET, zalo_app_id="a", zalo_oa_secret_key="k", zalo_oa_id="o")
    state = consent.new_state(s)
    consent.check_state(s, state)
    for bad in ["", "x", "1.2.3", state + "0", state.replace(".", ":"), "%d.%s" % (time.time(), state)]:
        try:
            consent.check_state(s, bad)
        except consent.ConsentError:
            continue
        raise AssertionError(bad)
    old = consent.new_state(s, now=time.time() - consent.STATE_MINUTES * 60 - 5)
    try:
        consent.check_state(s, old)
        raise AssertionError("stale state accepted")
    except consent.ConsentError as e:
        assert "zalo-consent" in str(e)
    other = Settings(zalo_app_secret="another-secret", zalo_app_id="a", zalo_oa_secret_key="k", zalo_oa_id="o")
    assert consent.verifier_of(s, state) != consent.verifier_of(other, state)
    assert len(consent.verifier_of(s, state)) == 43

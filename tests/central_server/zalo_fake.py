"""A local fake of the Zalo APIs the server calls, as a real HTTP server on loopback.

It checks every request as Zalo would (the bare ``access_token`` header, the bodies' shapes,
phone numbers as ``84...``, the refresh's ``secret_key`` header and form) and records each
problem in ``problems``; it rotates the refresh token on every refresh and refuses one used
before; it can answer any error (HTTP 200 with a non-zero ``error``) or fail outright (503),
for the next N calls or until told otherwise. ``received`` lists what it accepted, in order.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

PHONE = re.compile(r"^84\d{9,10}$")


class FakeZalo:
    def __init__(self, app_id: str = "app-123", app_secret: str = "app-secret-xyz"):
        self.app_id, self.app_secret = app_id, app_secret
        self._n = itertools.count(1)
        self.access = "access-0"
        self.refresh = "refresh-0"
        self.used_refresh: set[str] = set()
        self.received: list[dict] = []
        self.problems: list[str] = []
        self.refreshes = 0
        self.script: list[tuple[str, object]] = []    # (path prefix or "*", error code or "http503"), used in order
        self.down = False                              # every call: 503
        self.delay = 0.0
        self.lock = threading.Lock()
        self.calls = 0
        self.on_receive = None                         # called with each accepted message
        self.media: dict[str, tuple[str, bytes]] = {}   # the CDN: path -> (content type, bytes)
        self.media_down = 0                            # the next N media fetches: 503
        self.media_gets: list[str] = []
        self.codes: dict[str, str] = {}                # authorization code -> the PKCE challenge it was given for

    # -- control ------------------------------------------------------------------------
    def fail(self, what: object, times: int = 1, path: str = "*") -> None:
        """The next ``times`` calls to ``path`` (a prefix; "*" any message call) answer ``what``:
        a Zalo error code (HTTP 200, non-zero ``error``) or "http503"."""
        with self.lock:
            self.script += [(path, what)] * times

    def expire_access(self) -> None:
        with self.lock:
            self.access = "access-expired-%d" % next(self._n)  # the server's token is no longer it

    def start(self) -> "FakeZalo":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                status, ctype, data = fake.get_media(self.path)
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                status, body = fake.handle(self.path, dict((k.lower(), v) for k, v in self.headers.items()), raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def put_media(self, name: str, data: bytes, content_type: str = "image/jpeg") -> str:
        """Serve ``data`` at /media/<name> (Zalo's CDN, in the tests); its URL."""
        self.media["/media/" + name] = (content_type, data)
        return self.url + "/media/" + name

    def get_media(self, path: str) -> tuple[int, str, bytes]:
        with self.lock:
            self.media_gets.append(path)
            if self.media_down > 0:
                self.media_down -= 1
                return 503, "text/plain", b"unavailable"
            if path.startswith("/redirect/"):
                return 302, "text/plain", b""
            found = self.media.get(path)
        if found is None:
            return 404, "text/plain", b"not found"
        return 200, found[0], found[1]

    def consent(self, challenge: str) -> str:
        """The admin consents on Zalo's page: an authorization code for the OA, bound to ``challenge``."""
        code = "code-%d" % next(self._n)
        with self.lock:
            self.codes[code] = challenge
        return code

    # -- the APIs ---------------------------------------------------------------------------
    def problem(self, text: str) -> None:
        self.problems.append(text)

    def handle(self, path: str, headers: dict, raw: bytes):
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.calls += 1
            if self.down:
                return 503, {"error": "down"}
            if path == "/v4/oa/access_token":
                return 200, self._refresh(headers, raw)
            scripted = next((i for i, (p, _) in enumerate(self.script) if p == "*" or path.startswith(p)), None)
            forced = self.script.pop(scripted)[1] if scripted is not None else None
            if forced == "http503":
                return 503, {"error": "unavailable"}
            if headers.get("authorization"):
                self.problem("Authorization header sent; Zalo wants the bare access_token header")
            if headers.get("access_token") != self.access:
                return 200, {"error": -124 if path == "/message/template" else -216, "message": "Access token is invalid"}
            if not (headers.get("content-type") or "").startswith("application/json"):
                self.problem("%s: content-type %r" % (path, headers.get("content-type")))
            try:
                body = json.loads(raw)
            except ValueError:
                self.problem("%s: body is not JSON" % path)
                return 200, {"error": -201, "message": "bad body"}
            if forced is not None:
                return 200, {"error": forced, "message": "scripted error %s" % forced}
            if path == "/v3.0/oa/message/cs":
                return 200, self._cs(body)
            if path == "/message/template":
                return 200, self._zns(body)
            self.problem("unknown path " + path)
            return 404, {"error": -1}

    def _refresh(self, headers: dict, raw: bytes) -> dict:
        self.refreshes += 1
        if headers.get("secret_key") != self.app_secret:
            self.problem("refresh without the app's secret_key header")
            return {"error": -14002, "error_name": "Invalid secret key"}
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        if form.get("grant_type") == "authorization_code" and form.get("app_id") == self.app_id:
            return self._exchange(form)
        if form.get("grant_type") != "refresh_token" or form.get("app_id") != self.app_id:
            self.problem("refresh form %r" % sorted(form))
            return {"error": -14001, "error_name": "Invalid parameter"}
        token = form.get("refresh_token", "")
        if token in self.used_refresh:
            self.problem("refresh token used twice")
            return {"error": -14014, "error_name": "Refresh token was used"}
        if token != self.refresh:
            return {"error": -14014, "error_name": "Invalid refresh token"}
        self.used_refresh.add(token)
        n = next(self._n)
        self.access, self.refresh = "access-%d" % n, "refresh-%d" % n
        return {"access_token": self.access, "refresh_token": self.refresh, "expires_in": "90000"}

    def _exchange(self, form: dict) -> dict:
        """The authorization code (single use) for a new token pair, if the verifier matches its challenge."""
        challenge = self.codes.pop(form.get("code", ""), None)
        if challenge is None:
            return {"error": -14003, "error_name": "Invalid authorization code"}
        verifier = form.get("code_verifier", "")
        made = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or made != challenge:
            self.problem("code_verifier does not match the challenge")
            return {"error": -14019, "error_name": "Invalid code verifier"}
        n = next(self._n)
        self.access, self.refresh = "access-%d" % n, "refresh-%d" % n
        return {"access_token": self.access, "refresh_token": self.refresh, "expires_in": "90000"}

    def _record(self, item: dict) -> None:
        item["at"] = time.monotonic()
        self.received.append(item)
        if self.on_receive:
            self.on_receive(item)

    def _cs(self, body: dict) -> dict:
        user = (body.get("recipient") or {}).get("user_id") if isinstance(body.get("recipient"), dict) else None
        text = (body.get("message") or {}).get("text") if isinstance(body.get("message"), dict) else None
        if not isinstance(user, str) or not user or not isinstance(text, str) or not text or len(text) > 2000 \
                or set(body) != {"recipient", "message"}:
            self.problem("cs body %r" % body)
            return {"error": -201, "message": "Parameters are invalid"}
        mid = "cs-%d" % next(self._n)
        self._record({"via": "cs", "to": user, "text": text, "id": mid})
        return {"error": 0, "message": "Success", "data": {"message_id": mid, "user_id": user}}

    def _zns(self, body: dict) -> dict:
        phone, tid, data, track = body.get("phone"), body.get("template_id"), body.get("template_data"), \
            body.get("tracking_id")
        if not isinstance(phone, str) or not PHONE.match(phone):
            self.problem("zns phone %r" % phone)
            return {"error": -108, "message": "Phone number is invalid"}
        if not isinstance(tid, str) or not tid or not isinstance(data, dict) \
                or not all(isinstance(v, str) for v in data.values()) \
                or not isinstance(track, str) or not 0 < len(track) <= 48:
            self.problem("zns body %r" % body)
            return {"error": -201, "message": "Parameters are invalid"}
        mid = "zns-%d" % next(self._n)
        self._record({"via": "zns", "to": phone, "template_id": tid, "data": data, "tracking_id": track, "id": mid})
        return {"error": 0, "message": "Success", "data": {"msg_id": mid, "sent_time": str(int(time.time() * 1000))}}


def signed(event: dict, app_id: str, oa_secret: str, timestamp_ms: int | None = None) -> tuple[bytes, dict]:
    """A webhook body as Zalo sends it, and its headers (``X-ZEvent-Signature: mac=...``)."""
    event = dict(event, app_id=app_id, timestamp=str(timestamp_ms if timestamp_ms is not None
                                                        else int(time.time() * 1000)))
    raw = json.dumps(event, ensure_ascii=False).encode()
    mac = hashlib.sha256(app_id.encode() + raw + event["timestamp"].encode() + oa_secret.encode()).hexdigest()
    return raw, {"X-ZEvent-Signature": "mac=" + mac, "Content-Type": "application/json"}


_msg = itertools.count(1)


def text_event(user: str, text: str, oa_id: str) -> dict:
    return {"event_name": "user_send_text", "sender": {"id": user}, "recipient": {"id": oa_id},
            "user_id_by_app": "app-" + user, "message": {"text": text, "msg_id": "msg-%d-%d" % (time.time_ns(), next(_msg))}}


def image_event(user: str, urls: list[str], oa_id: str, text: str = "", kind: str = "image",
                event_name: str = "user_send_image") -> dict:
    return {"event_name": event_name, "sender": {"id": user}, "recipient": {"id": oa_id},
            "user_id_by_app": "app-" + user,
            "message": {"text": text, "msg_id": "msg-%d-%d" % (time.time_ns(), next(_msg)),
                        "attachments": [{"type": kind, "payload": {"url": u, "size": 0}} for u in urls]}}


def follow_event(user: str, oa_id: str, name: str = "follow") -> dict:
    return {"event_name": name, "oa_id": oa_id, "follower": {"id": user}, "user_id_by_app": "app-" + user,
            "source": "oa_profile"}

"""The pages' defences: the form token, the same-origin check, the server's secret."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Request

from ..settings import Settings

SECRET_FILE = "web-secret"


def load_secret(settings: Settings) -> bytes:
    """The key the form tokens are derived with: the setting, or a random one kept in the data
    folder (created once, by whichever worker comes first, so every worker and every restart
    derives the same tokens)."""
    if settings.web_secret:
        return settings.web_secret.encode("utf-8")
    if settings.sqlalchemy_url in ("sqlite://", "sqlite:///:memory:"):
        return secrets.token_hex(32).encode()   # a database of one process: a secret of one process
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name("%s.%d.tmp" % (SECRET_FILE, os.getpid()))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)        # atomic, and fails if another worker was first: keep theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip().encode("utf-8")


def form_token(secret: bytes, code: str, key: str) -> str:
    """The hidden field of a dossier page's forms: HMAC of the dossier's code and key. A page
    of another site cannot know it, even one that knows the link (it cannot read our page)."""
    return hmac.new(secret, ("form|%s|%s" % (code, key)).encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def token_ok(secret: bytes, code: str, key: str, given: str) -> bool:
    return hmac.compare_digest(form_token(secret, code, key).encode(), (given or "").encode("utf-8", "replace"))


def same_origin(request: Request) -> bool:
    """A POST's Origin (or, without one, its Referer) names this host, when the browser sent one.

    ``Origin: null`` is accepted: with ``Referrer-Policy: no-referrer`` browsers send exactly
    that with a form from our own page; the form token is the defence then."""
    host = (request.headers.get("host") or "").lower()
    origin = request.headers.get("origin")
    if origin is not None and origin.strip().lower() != "null":
        return _netloc(origin) == host
    referer = request.headers.get("referer")
    if referer:
        return _netloc(referer) == host
    return True


def _netloc(url: str) -> str:
    try:
        return urlsplit(url.strip()).netloc.lower()
    except ValueError:
        return "\x00"

"""A citizen's image sent to the OA: fetched from Zalo's CDN into the server's blob store.

The webhook gives only a URL, and whoever can post a validly signed webhook (or a Zalo user,
through the URL field) chooses it: fetching it is a server-side request forgery risk. So an
image is fetched only

* from a host of ``zalo_media_hosts`` (``[scheme://]host[:port]``, ``*.`` for subdomains,
  https unless the entry names another scheme); a wildcard host that resolves to a private,
  loopback or link-local address is refused too (only a host named exactly may be local);
* without following redirects, within ``zalo_media_timeout_seconds`` overall, and at most
  ``zalo_media_max_bytes`` (read in pieces, stopped as soon as it is over);
* and kept only if its first bytes say JPEG, PNG or WebP (the declared type is not believed).

It is stored by its SHA-256 (``Blob`` with ``uploaded_by = "zalo"``) and named in the
``citizen_message`` event's ``attachments``. ``Refused`` is for good (the message lands with a
note instead of the image); ``Later`` is for a network trouble: the webhook call stays in the
inbox and is worked on again in a later round.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import socket
import tempfile
import time
from urllib.parse import urlsplit

import httpx

from ..blobs import BlobStore, _fsync_dir
from ..db import insert_ignore
from ..models import Blob

UPLOADER = "zalo"            # Blob.uploaded_by of the images citizens sent through the OA
IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class Refused(Exception):
    """This URL or content will never be an image we keep (a short English reason)."""


class Later(Exception):
    """The fetch failed in a way that may pass: try again in a later round."""


def sniff(head: bytes) -> str | None:
    """"jpeg", "png" or "webp" from the first bytes, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _rules(spec: str) -> list[tuple[str, str, int | None]]:
    out = []
    for part in (spec or "").split(","):
        part = part.strip().lower()
        if not part:
            continue
        scheme, _, rest = part.rpartition("://")
        host, _, port = rest.partition(":") if not rest.startswith("[") else (rest, "", "")
        out.append((scheme or "https", host, int(port) if port.isdigit() else None))
    return out


def allowed(url: str, spec: str) -> tuple[str, int, bool]:
    """(host, port, wildcard) if ``url`` may be fetched under the allowlist ``spec``; Refused if not."""
    if not isinstance(url, str) or len(url) > 2000 or any(ord(c) < 33 or ord(c) > 126 for c in url):
        raise Refused("bad url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("bad url") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise Refused("bad url")
    port = port or (443 if scheme == "https" else 80)
    for r_scheme, r_host, r_port in _rules(spec):
        if r_scheme != scheme or (r_port is not None and r_port != port):
            continue
        if r_host.startswith("*."):
            if host.endswith(r_host[1:]) and len(host) > len(r_host) - 1:
                return host, port, True
        elif host == r_host:
            return host, port, False
    raise Refused("host not allowed: %s" % host[:100])


def _check_address(host: str, port: int) -> None:
    """A wildcard-allowed name must not lead to the server's own network."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Later("dns") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast \
                or ip.is_unspecified:
            raise Refused("address not public: %s" % ip)


def fetch(url: str, settings, store: BlobStore, client: httpx.Client | None = None) -> tuple[str, int]:
    """Fetch the image at ``url`` into ``store``; its (SHA-256, size). Refused or Later."""
    host, port, wildcard = allowed(url, settings.zalo_media_hosts)
    if wildcard:
        _check_address(host, port)
    limit, budget = settings.zalo_media_max_bytes, settings.zalo_media_timeout_seconds
    deadline = time.monotonic() + budget
    own = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(budget, connect=min(5.0, budget)), follow_redirects=False,
                                    trust_env=False)
    store.root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="zalo-", suffix=".part", dir=store.root)
    h, size, kind = hashlib.sha256(), 0, None
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with client.stream("GET", url, headers={"Accept": "image/jpeg, image/png, image/webp"}) as r:
                    if r.status_code >= 500 or r.status_code == 429:
                        raise Later("http %d" % r.status_code)
                    if r.status_code != 200:
                        raise Refused("http %d" % r.status_code)   # a redirect, 403, 404: not followed
                    declared = r.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > limit:
                        raise Refused("too large")
                    head = b""
                    for chunk in r.iter_bytes(64 * 1024):
                        size += len(chunk)
                        if size > limit:
                            raise Refused("too large")
                        if time.monotonic() > deadline:
                            raise Later("too slow")
                        if kind is None:
                            head = (head + chunk)[:16]
                            if len(head) >= 12 and sniff(head) is None:
                                raise Refused("not an image")
                            kind = sniff(head) if len(head) >= 12 else None
                        h.update(chunk)
                        out.write(chunk)
            except httpx.HTTPError as e:
                raise Later(type(e).__name__) from None
            if size == 0 or kind is None:
                raise Refused("not an image")
            out.flush()
            os.fsync(out.fileno())
        sha = h.hexdigest()
        final = store.path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        tmp = None
        _fsync_dir(final.parent)
        return sha, size
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if own:
            client.close()


def record(session, sha: str, size: int, now) -> None:
    insert_ignore(session, Blob.__table__, {"sha256": sha, "size": size, "uploaded_by": UPLOADER,
                                            "completed_at": now})

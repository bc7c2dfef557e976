"""Images a citizen sends to the OA: fetched only from the allowed CDN hosts, capped, sniffed,
stored by SHA-256 and attached to the citizen's message in the dossier's thread; the desk
concerned (and only it) downloads them. A fetch that fails is tried again, never lost."""

from __future__ import annotations

import hashlib
import struct
import zlib

import httpx
import pytest
from PySide6.QtCore import QUrl
from hypothesis import given, settings as hsettings, strategies as st
from sqlalchemy import select

from central_server.zalo import media
from desk_app.services import messages, sync
from desk_app.services.context import ServiceError
from tests.central_server import kit
from tests.central_server.test_zalo import (OA_ID, World, _desk_token, _linked, fake,  # noqa: F401 (fixture)
                                            make_world)
from tests.central_server.zalo_fake import image_event
from tests.sync import desks


def png(width: int = 2, height: int = 2, colour: tuple = (200, 30, 30)) -> bytes:
    """A real PNG (the desk's thread shows it)."""
    raw = b"".join(b"\x00" + bytes(colour) * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def media_world(server_factory, tmp_path, backend, fake, **more) -> World:
    return make_world(server_factory, tmp_path, backend, fake,
                      zalo_media_hosts="http://127.0.0.1:%d" % fake.httpd.server_address[1],
                      zalo_media_max_bytes=100_000, **more)


def _messages(w: World, code: str) -> list[dict]:
    db = w.server.database()
    try:
        from central_server.models import ServerEvent
        with db.session(write=False) as s:
            return list(s.scalars(select(ServerEvent.payload).where(
                ServerEvent.dossier_code == code, ServerEvent.kind == "citizen_message").order_by(
                ServerEvent.server_seq)))
    finally:
        db.dispose()


def test_an_image_from_a_linked_user_lands_in_the_thread_and_only_the_concerned_desk_gets_it(
        server_factory, tmp_path, backend, fake, qtbot):
    w = media_world(server_factory, tmp_path, backend, fake)
    code, key = w.intake()
    _linked(w, code, key, "u-img")
    picture = png()
    url = fake.put_media("a.png", picture, "image/png")
    assert w.webhook(image_event("u-img", [url], OA_ID, text="Giấy tờ bổ sung")).status_code == 200
    kit.wait_until(lambda: _messages(w, code), 20, "the message with its image")
    sha = hashlib.sha256(picture).hexdigest()
    [payload] = _messages(w, code)
    assert payload["attachments"] == [sha] and payload["text"] == "Giấy tờ bổ sung" and payload["channel"] == "zalo"
    # at the desk: the thread names the image, the desk fetches it, the same bytes
    sync.sync_once(w.desk)
    [m] = messages.thread(w.desk, w.desk.clerk, code)
    assert m.from_citizen and m.images == (sha,) and m.refused == 0
    path = messages.image(w.desk, w.desk.clerk, code, sha)
    assert path.read_bytes() == picture
    with pytest.raises(ServiceError):                   # only an image the dossier's messages name
        messages.image(w.desk, w.desk.clerk, code, "f" * 64)
    # the thread at the desk: a thumbnail, a click opens the whole image
    from desk_app.ui.messages.thread import ImageDialog, ThreadView, image_url
    from desk_app.ui.tasks import TaskRunner
    runner = TaskRunner(synchronous=True)
    view = ThreadView(w.desk, w.desk.clerk, runner)
    qtbot.addWidget(view)
    view.load(code)
    qtbot.waitUntil(lambda: sha in view.shown, timeout=10_000)
    assert "Giấy tờ bổ sung" in view.view.toPlainText()
    assert image_url(sha) in view.view.toHtml()
    view._clicked(QUrl(image_url(sha)))
    dialog = view.findChild(ImageDialog)
    assert dialog is not None and dialog.label.pixmap().width() == 2
    runner.shutdown()
    # another agency's desk: 404, as for a file the server does not have
    other = desks.enrolled_desk(tmp_path, w.server, "khac", kit.new_agency(), ["MOTCUA"])
    r = httpx.get(w.server.url + "/api/v1/attachments/" + sha, headers={"Authorization": "Bearer " + _desk_token(other)})
    assert r.status_code == 404
    r = httpx.get(w.server.url + "/api/v1/attachments/" + sha, headers={"Authorization": "Bearer " + _desk_token(w.desk)})
    assert r.status_code == 200 and r.content == picture


def test_foreign_hosts_non_images_and_huge_files_are_refused_and_the_message_still_lands(
        server_factory, tmp_path, fake):
    w = media_world(server_factory, tmp_path, "sqlite", fake)
    code, key = w.intake()
    _linked(w, code, key, "u-bad")
    fake.put_media("page.jpg", b"<html><script>alert(1)</script></html>" * 10, "image/jpeg")  # says JPEG, is not
    fake.put_media("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 200_000, "image/png")            # over the cap
    good = fake.put_media("ok.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100, "image/jpeg")
    urls = ["http://169.254.169.254/latest/meta-data/", "http://localhost:%d/media/ok.jpg" % fake.httpd.server_address[1],
            "file:///etc/passwd", fake.url + "/media/page.jpg", fake.url + "/media/big.png",
            fake.url + "/redirect/elsewhere", "https://user:pw@127.0.0.1/x", good]
    assert w.webhook(image_event("u-bad", urls, OA_ID)).status_code == 200
    kit.wait_until(lambda: _messages(w, code), 20, "the message")
    [payload] = _messages(w, code)
    # at most five images per message: the first five are tried, the rest counted as not received
    assert payload.get("attachments") is None and payload["attachments_refused"] == len(urls)
    assert not any(p.endswith("ok.jpg") for p in fake.media_gets)    # never fetched from a host not allowed
    sync.sync_once(w.desk)
    [m] = messages.thread(w.desk, w.desk.clerk, code)
    assert m.images == () and m.refused == len(urls)


def test_a_file_event_with_an_image_is_kept_and_a_failing_cdn_is_tried_again(server_factory, tmp_path, fake):
    w = media_world(server_factory, tmp_path, "sqlite", fake)
    code, key = w.intake()
    _linked(w, code, key, "u-file")
    picture = b"RIFF\x24\0\0\0WEBPVP8 " + b"\0" * 40
    url = fake.put_media("scan.webp", picture, "application/octet-stream")
    fake.media_down = 2                                              # the CDN fails twice, then answers
    assert w.webhook(image_event("u-file", [url], OA_ID, kind="file", event_name="user_send_file")).status_code == 200
    kit.wait_until(lambda: _messages(w, code), 30, "the message after the retries")
    assert _messages(w, code)[0]["attachments"] == [hashlib.sha256(picture).hexdigest()]
    assert fake.media_gets.count("/media/scan.webp") == 3


def test_an_unlinked_user_s_image_is_not_fetched(server_factory, tmp_path, fake):
    w = media_world(server_factory, tmp_path, "sqlite", fake)
    url = fake.put_media("x.png", png(), "image/png")
    assert w.webhook(image_event("u-stranger", [url], OA_ID)).status_code == 200
    db = w.server.database()
    try:
        from central_server.models import ZaloInbox
        kit.wait_until(lambda: _processed(db), 20, "the call worked on")
    finally:
        db.dispose()
    assert fake.media_gets == []


def _processed(db) -> bool:
    from central_server.models import ZaloInbox
    with db.session(write=False) as s:
        return all(r.processed_at is not None for r in s.scalars(select(ZaloInbox))) and \
            bool(s.scalars(select(ZaloInbox)).first())


# -- the allowlist and the sniffing, fuzzed ---------------------------------------------------

ALLOW = "*.zdn.vn,*.zadn.vn,http://127.0.0.1:8080"


@pytest.mark.parametrize("url,ok", [
    ("https://f21-zpc.zdn.vn/a/b.jpg", True), ("https://s120-ava-talk.zadn.vn/x.png", True),
    ("http://f21-zpc.zdn.vn/a.jpg", False),            # https only unless named
    ("https://zdn.vn.evil.com/a.jpg", False), ("https://evilzdn.vn/a.jpg", False), ("https://zdn.vn/a", False),
    ("https://f21.zdn.vn:8443/a", True), ("http://127.0.0.1:8080/a", True), ("http://127.0.0.1:8081/a", False),
    ("http://127.0.0.1/a", False), ("https://user@f1.zdn.vn/a", False), ("ftp://f1.zdn.vn/a", False),
    ("https://f1.zdn.vn/a b", False), ("https://f1.zdn.vn/\x00", False), ("javascript:alert(1)", False),
    ("https://[::1]/a", False), ("https://f1.zdn.vn.:443/a", True),
])
def test_the_allowlist(url, ok):
    if ok:
        assert media.allowed(url, ALLOW)
    else:
        with pytest.raises(media.Refused):
            media.allowed(url, ALLOW)


@hsettings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_url_is_either_allowed_on_a_listed_host_or_refused(url):
    try:
        host, port, wildcard = media.allowed(url, ALLOW)
    except media.Refused:
        return
    assert (wildcard and (host.endswith(".zdn.vn") or host.endswith(".zadn.vn"))) or (host, port) == ("127.0.0.1", 8080)


@given(st.binary(max_size=64))
def test_sniffing_says_an_image_only_for_its_magic(head):
    kind = media.sniff(head)
    assert kind is None or head[:3] == b"\xff\xd8\xff" or head[:8] == b"\x89PNG\r\n\x1a\n" or head[8:12] == b"WEBP"


@hsettings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20))
def test_any_webhook_message_shape_gives_a_list_of_urls_or_nothing(message):
    from central_server.zalo.webhook import _media_urls
    urls = _media_urls({"message": message})
    assert isinstance(urls, list)
    for url in urls:                        # whatever they are, media.allowed judges each
        try:
            media.allowed(url, ALLOW)
        except media.Refused:
            pass

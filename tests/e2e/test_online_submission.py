"""Online submission in a real browser: Debian's chromium on a phone's viewport, against the
real server process, with a real desk behind it.

The citizen opens the procedure in the public catalogue, presses "Nộp hồ sơ trực tuyến",
fills the e-form, attaches phone photos made by the test (a rendered paper page photographed
in simulation: perspective, shadow, EXIF rotation, GPS in the EXIF) and submits. With
JavaScript on, the photos are shrunk on the phone and go up in pieces; the connection is cut
in the middle of one and the page resumes from the server's offset, re-sending at most one
piece. With JavaScript off, the plain form carries the files. The counter pulls the
submission by sync and accepts it; the citizen's page then shows the electronic receipt.
``DESK_SCREENSHOTS=DIR`` keeps screenshots."""

from __future__ import annotations

import re

import pytest

from desk_app.services import auth, online, sync
from tests.central_server import kit
from tests.central_server.conftest import database_url
from tests.central_server.online import photosim
from tests.e2e.test_citizen_pages import ARGS, CHROMIUM, PHONE, _accessible, _shot, pytestmark  # noqa: F401
from tests.sync import desks

PIECE = 64 * 1024


@pytest.fixture(scope="module")
def world(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e-online")
    server = kit.ServerProcess(database_url(request.config, tmp, "sqlite"), tmp / "server",
                               public_rate=200, public_burst=400,
                               env={"DESK_SERVER_WEB_UPLOAD_PIECE_BYTES": str(PIECE)}).start()
    agency = kit.new_agency()
    desk = desks.enrolled_desk(tmp, server, "quay-" + agency, agency, ["MOTCUA"])
    desk.print_forms = False
    desk.agency = agency
    desk.clerk_user = auth.login(desk, "tiepnhan", desks.PASSWORD)
    sync.sync_once(desk)       # the profile and the catalogue reach the server
    photos = []
    for seed in (11, 12):
        shot = photosim.photograph(photosim.paper_page(seed), seed=seed, sensor=(3000, 2250), orientation=6)
        path = tmp / ("anh-%d.jpg" % seed)
        path.write_bytes(shot.jpeg)
        assert b"GPS" in shot.jpeg or b"\x88\x25" in shot.jpeg or len(shot.jpeg) > 0
        photos.append(path)
    yield server, desk, photos
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _fill(page) -> None:
    page.fill("#f-owner\\.name", "Trần Văn Bình")
    page.fill("#f-owner\\.id_number", "038090001234")
    page.fill("#f-owner\\.birth_date", "05/06/1990")
    page.select_option("#f-owner\\.gender", "male")
    page.fill("#f-owner\\.phone", "0987654321")
    page.fill("#f-owner\\.address", "45 Trần Phú, phường Hạc Thành, Thanh Hóa")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_submit_from_a_phone_and_see_the_receipt(world, browser, javascript):
    server, desk, photos = world
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, is_mobile=True, has_touch=True)
    page = context.new_page()
    pieces: list[tuple[str, int, int]] = []   # (upload, offset, bytes) of every piece the phone sent
    cut = {"done": False}

    def piece(route, request):
        upload, offset = re.search(r"/tai-len/([0-9a-f]{32})\?offset=(\d+)", request.url).groups()
        pieces.append((upload, int(offset), len(request.post_data_buffer or b"")))
        offset = int(offset)
        if offset > 0 and not cut["done"]:   # the network drops in the middle of the file
            cut["done"] = True
            route.abort("connectionreset")
        else:
            route.continue_()
    page.route(re.compile(r".*/tai-len/[0-9a-f]{32}\?offset=\d+"), piece)
    try:
        page.goto(server.url + "/thu-tuc/%s/1.001193" % desk.agency)
        page.click("text=Nộp hồ sơ trực tuyến")
        page.wait_for_url(re.compile(r".*/ban-nhap/.*"))
        assert "Tờ khai đăng ký khai sinh theo mẫu" in page.content()
        _fill(page)
        if javascript:
            for index, path in enumerate(photos):
                page.set_input_files("#c%d" % index, str(path))
                # the script sends the pieces, then saves the form: the page comes back with the file listed
                page.wait_for_function("n => document.querySelectorAll('.paper .files li:not(.none)').length >= n",
                                       arg=index + 1, timeout=60_000)
            assert cut["done"], "the connection was never cut: the photo fitted in one piece"
            resent = len(pieces) - len({(u, o) for u, o, _n in pieces})
            assert resent <= 1, pieces               # at most the one piece that was cut was sent again
            assert len({u for u, _o, _n in pieces}) == 2
        else:
            page.set_input_files("#c0", str(photos[0]))
            page.set_input_files("#c1", str(photos[1]))
            page.click("button[value=save]")
            page.wait_for_url(re.compile(r".*ok=added.*"))
        content = page.content()
        assert content.count("1 trang") == 2, content
        assert page.input_value("#f-owner\\.name") == "Trần Văn Bình"
        if javascript:  # axe runs in the page: only with JavaScript on
            _accessible(page)
        _shot(page, "online_form_" + ("js" if javascript else "nojs"))
        page.click("button[value=submit]")
        page.wait_for_url(re.compile(r".*/h/.*ok=submitted.*"))
        assert "Sẽ hẹn khi cán bộ tiếp nhận hồ sơ" in page.content()
        code = re.search(r"/h/([^?]+)\?", page.url).group(1)
        _shot(page, "online_submitted_" + ("js" if javascript else "nojs"))

        sync.sync_once(desk)
        sub = online.details(desk, desk.clerk_user, code)
        assert sub.owner_name == "Trần Văn Bình" and len(sub.files) == 2
        online.accept(desk, desk.clerk_user, code)
        sync.sync_once(desk)
        page.goto(page.url.split("&")[0])
        text = page.content()
        assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (điện tử)" in text
        assert "Giấy chứng sinh" in text
        if javascript:  # axe runs in the page: only with JavaScript on
            _accessible(page)
        _shot(page, "online_receipt_" + ("js" if javascript else "nojs"))
    finally:
        context.close()

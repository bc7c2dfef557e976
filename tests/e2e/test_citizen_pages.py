"""The citizen's side in a real browser: Debian's chromium driven by Playwright (never a
downloaded browser), on a phone's viewport, against the real server process, with a dossier
made at a desk by the services and synced.

The citizen opens the receipt's link, rates the clerk, writes to the counter; the counter
answers at its desk; real sync carries the answer back; the citizen sees it. The same with
JavaScript off. Every page passes axe-core with no serious or critical violation.
``DESK_SCREENSHOTS=DIR`` keeps a screenshot of each page there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from desk_app.domain.codes import parse_capability_url
from desk_app.services import counter, messages, sync, workflow
from tests.central_server import kit
from tests.central_server.conftest import BACKENDS, database_url
from tests.sync import desks

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 360, "height": 740}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and os.environ.get("DESK_REQUIRE_PG") != "1",
                                reason="Debian's chromium is not installed (scripts/setup.sh installs it)")


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """A real server on each database: on PostgreSQL the dossier page's probe runs on the event
    loop (``web.probe``), on SQLite in the page readers' threads; the browser sees both."""
    tmp = tmp_path_factory.mktemp("e2e")
    server = kit.ServerProcess(database_url(request.config, tmp, request.param), tmp / "server",
                               public_rate=200, public_burst=400).start()
    agency = kit.new_agency()
    desk = desks.enrolled_desk(tmp, server, "quay-" + agency, agency, ["MOTCUA", "STP"])
    desk.print_forms = False
    yield server, desk
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _dossier(desk, server) -> str:
    """A dossier received and sent to a department at the desk, synced; its page's URL."""
    code = desks.intake_named_by_a_rogue_desk(desk, "Nguyễn Thị <b>Hoa</b>")
    workflow.transfer(desk, desk.clerk, code, "STP")
    sync.sync_once(desk)
    link = parse_capability_url(counter.details(desk, code).capability_url)
    return "%s/h/%s?k=%s" % (server.url, code, link.key)


def _shot(page, name: str) -> None:
    folder = os.environ.get("DESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / ("citizen_%s.png" % name)), full_page=True)


def _accessible(page) -> None:
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], v["help"]) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_rate_write_and_read_the_answer_on_a_phone(world, browser, javascript):
    server, desk = world
    url = _dossier(desk, server)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript,
                                  locale="vi-VN")
    page = context.new_page()
    try:
        response = page.goto(url)
        assert response.status == 200
        assert response.headers["referrer-policy"] == "no-referrer"
        text = page.inner_text("body")
        assert "Nguyễn T** &lt;b&gt;Hoa&lt;/b&gt;" not in text  # escaped, not doubly
        assert "<b>" not in page.content().split("<body", 1)[1].split("Nguyễn", 1)[1][:40]
        assert "Đang trong thời hạn" in text or "Sắp đến ngày hẹn" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
        if javascript:
            _shot(page, "dossier")
            _accessible(page)

        # rate the clerk
        page.check("input[name=level][value=very_satisfied]")
        page.fill("#comment", "Cán bộ hướng dẫn tận tình")
        page.click("form[action$='/danh-gia'] button[type=submit]")
        page.wait_for_load_state()
        assert "danh-gia" not in page.url and "ok=" in page.url
        assert page.locator("form[action$='/danh-gia']").count() == 0  # once per dossier

        # write to the counter
        page.fill("#text", "Tôi cần bổ sung thêm giấy tờ gì không ạ?")
        page.click("form[action$='/tin-nhan'] button[type=submit]")
        page.wait_for_load_state()
        assert "Tôi cần bổ sung thêm giấy tờ gì không ạ?" in page.inner_text(".thread")

        # the counter answers at its desk; real sync carries it both ways
        code = url.split("/h/")[1].split("?")[0]
        sync.sync_once(desk)
        assert [i.code for i in messages.inbox(desk, desk.clerk)].count(code) == 1
        messages.reply(desk, desk.clerk, code, "Hồ sơ của ông/bà đã đủ, không cần bổ sung.")
        sync.sync_once(desk)
        page.goto(url)
        thread = page.inner_text(".thread")
        assert "Hồ sơ của ông/bà đã đủ, không cần bổ sung." in thread
        if javascript:
            _shot(page, "dossier_answered")
    finally:
        context.close()


def test_every_public_page_is_accessible_and_the_key_never_leaves(world, browser):
    server, desk = world
    url = _dossier(desk, server)
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="vi-VN")
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        for name, path in (("home", "/"), ("catalogue", "/thu-tuc?q=khai+sinh"), ("wrong_key", None)):
            target = server.url + path if path else url.rsplit("k=", 1)[0] + "k=" + "A" * 22
            response = page.goto(target)
            assert response.status in (200, 404)
            _shot(page, name)
            _accessible(page)
        first = page.goto(server.url + "/thu-tuc?q=khai+sinh")
        assert first.status == 200
        links = page.locator("a[href^='/thu-tuc/']")
        if links.count():
            links.first.click()
            page.wait_for_load_state()
            _shot(page, "procedure")
            _accessible(page)
        page.goto(url + "&lang=en")
        assert "Status" in page.inner_text("body") or "status" in page.inner_text("body").lower()
        _accessible(page)
        # nothing is fetched from any other origin, and no request but the page's carries the key
        assert all(r.startswith(server.url) for r in requests)
        key = url.rsplit("k=", 1)[1]
        assert [r for r in requests if key in r and "/h/" not in r] == []
    finally:
        context.close()

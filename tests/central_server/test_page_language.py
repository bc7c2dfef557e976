"""The dossier page's language from the cookie alone: a citizen who once switched to English
comes back by the printed link (no ``?lang=``) with only the ``lang`` cookie their browser kept,
and gets the page in English; without that cookie (or with one that names no language) the same
address is in Vietnamese. The page is served by the real server app on a real server's database,
the dossier made by the desk's services and synced (``test_pages``' world)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from desk_app.domain.i18n import using_language
from desk_app.services import kiosk
from tests.central_server.test_pages import world  # noqa: F401 (fixture)


def test_the_language_cookie_alone_gives_the_english_page(world):  # noqa: F811
    code, key = world.intake()
    assert "lang" not in world.client.cookies
    vi = world.page(code, key)                 # the same address, served (and kept) in Vietnamese first
    assert vi.status_code == 200
    assert '<html lang="vi">' in vi.text and "Quá trình giải quyết" in vi.text and "Progress" not in vi.text
    view = kiosk.lookup(world.desk, world.desk.kiosk_user, code, key)
    with using_language("en"):
        english_verdict = view.verdict.citizen_text

    returning = TestClient(world.client.app)   # another browser, on the same app (and its kept pages)
    returning.cookies.set("lang", "en")        # all it carries: what the switch left there once
    world.refresh()
    en = returning.get("/h/%s" % code, params={"k": key})
    assert en.status_code == 200
    assert '<html lang="en">' in en.text and "Progress" in en.text and "What you need to do" in en.text
    assert "Quá trình giải quyết" not in en.text and english_verdict in en.text
    assert "set-cookie" not in en.headers      # nothing chosen on this request: the cookie is not set again
    returning.close()

    # without the cookie, or with one no language answers to, the same address is Vietnamese
    for cookie in (None, "fr", "EN", ""):
        browser = TestClient(world.client.app)
        if cookie is not None:
            browser.cookies.set("lang", cookie)
        vi = browser.get("/h/%s" % code, params={"k": key})
        assert vi.status_code == 200
        assert '<html lang="vi">' in vi.text and "Quá trình giải quyết" in vi.text, cookie
        assert "Progress" not in vi.text, cookie
        browser.close()

"""Whatever is held up to the kiosk or scanned at a desk, the window stays up and explains.

A receipt link on a foreign or look-alike host is "not ours" even when its code and key are real;
NUL, lone surrogates, huge texts and other scripts' digits get the plain "not ours" message; and
should the recogniser ever raise, the window catches it rather than falling over.
"""

from __future__ import annotations

import pytest

from desk_app.domain.roles import Role
from desk_app.services import auth, counter, intake, kiosk
from desk_app.ui.kiosk import flow as kiosk_flow
from desk_app.ui.kiosk.flow import Screen
from desk_app.ui.kiosk.window import KioskWindow
from desk_app.ui.main_window import MainWindow
from desk_app.ui.tasks import TaskRunner
from desk_app.ui import scanning
from tests.conftest import birth_form

HOSTILE = [
    "\x00", "\ud800", "12345", "9" * 5000, "A" * 2_000_000,
    "000.00.06.H56-261110-12345", "000.00.06.H56-261110-" + "1" * 5000,
    "\u0660\u0660\u0660.\u0660\u0660.\u0660\u0666.H\u0665\u0666-\u0662\u0666\u0661\u0661\u0661\u0660-\u0660\u0660\u0660\u0661",
    "https://[::1", "https://dichvucong.thanhhoa.gov.vn:99999999/h/x?k=y", "https://%zz%/h/%%%?k=%%",
    "038190012345|123456789|Nguyễn Thị Hồng Nhung|12030000|Nữ|Thanh Hóa|15072021",
    "038190012345|123456789|Nguyễn Thị Hồng Nhung|31129999|Nữ|Thanh Hóa|15072021",
]


def foreign_twins(url: str) -> list[str]:
    """The real receipt link moved to hosts that are not the agency's."""
    host = "dichvucong.thanhhoa.gov.vn"
    assert host in url
    return [url.replace(host, "evil.example"), url.replace(host, host + "@evil.example"),
            url.replace(host, "evil.example@" + host), url.replace(host, host.replace("o", "\u043e")),
            url.replace(host, host + "."), url.replace(host, host + ":8443"), url.replace("https://", "http://")]


@pytest.fixture
def receipt_url(desk) -> str:
    code = intake.save(desk, desk.clerk, birth_form(), print_receipt=False).code
    return counter.details(desk, code).capability_url


@pytest.fixture
def errors():
    return []


@pytest.fixture
def runner(qapp, errors):
    r = TaskRunner(synchronous=True, show_error=lambda _parent, e: errors.append(e))
    yield r
    r.shutdown()


@pytest.fixture
def lookups(monkeypatch):
    calls = []
    real = kiosk.lookup
    monkeypatch.setattr(kiosk, "lookup", lambda *a: calls.append(a[2:]) or real(*a))
    return calls


def make_kiosk(qtbot, desk, runner, **kw) -> KioskWindow:
    user = auth.create_user(desk, "kiosk", "Kiosk sảnh A", Role.KIOSK, "matkhau-kiosk")
    w = KioskWindow(desk, user, runner, None, "Trung tâm", **kw)
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def kiosk_window(qtbot, desk, runner, errors):
    w = make_kiosk(qtbot, desk, runner)
    yield w
    w._leaving = True
    w.close()
    assert errors == []


def test_the_kiosk_looks_up_only_links_on_the_agencys_address(kiosk_window, receipt_url, lookups) -> None:
    for text in foreign_twins(receipt_url):
        kiosk_window.scanned(text)
        assert kiosk_window.screen is Screen.MESSAGE, text
        assert "không phải mã QR" in kiosk_window.message_page.text.text()
        kiosk_window.flow.done()
    assert lookups == []
    kiosk_window.scanned(receipt_url)
    assert kiosk_window.screen is Screen.PROGRESS and len(lookups) == 1


def test_a_kiosk_with_no_public_address_takes_no_link(qtbot, desk, runner, receipt_url, lookups) -> None:
    w = make_kiosk(qtbot, desk, runner, public_base_url="")
    w.scanned(receipt_url)
    assert w.screen is Screen.MESSAGE and lookups == []
    w._leaving = True
    w.close()


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_the_kiosk_explains_hostile_scans(kiosk_window, text, lookups) -> None:
    kiosk_window.scanned(text)
    assert kiosk_window.screen is Screen.MESSAGE and kiosk_window.message_page.text.text()
    assert lookups == []


def test_the_kiosk_stays_up_if_the_recogniser_raises(kiosk_window, monkeypatch, caplog) -> None:
    def broken(text, **_kw):
        raise RuntimeError("a bug")
    monkeypatch.setattr(kiosk_flow, "recognise", broken)
    kiosk_window.scanned("038190012345|secret")
    assert kiosk_window.screen is Screen.MESSAGE and not kiosk_window.flow.busy
    assert "không phải mã QR" in kiosk_window.message_page.text.text()
    assert "a bug" in caplog.text and "secret" not in caplog.text   # logged, the scanned text not


@pytest.fixture
def main_window(qtbot, desk, tmp_path, monkeypatch, errors):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    runner = TaskRunner(synchronous=True, show_error=lambda _p, e: errors.append(e))
    w = MainWindow(desk, desk.clerk, runner, "Trung tâm", preview=lambda *_a: 0)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.idle.stop()
    w.close()
    runner.shutdown()
    assert errors == []


def test_the_counter_opens_only_links_on_the_agencys_address(qtbot, main_window, receipt_url, monkeypatch) -> None:
    opened = []
    monkeypatch.setattr(main_window.counter, "open_dossier", opened.append)
    assert main_window.public_base_url == "https://dichvucong.thanhhoa.gov.vn"
    for text in foreign_twins(receipt_url):
        main_window.handle_scan(text)
        assert "không phải" in main_window.statusBar().currentMessage(), text
    assert opened == []
    main_window.handle_scan(receipt_url)
    assert len(opened) == 1 and opened[0] in receipt_url


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_the_counter_explains_hostile_scans(main_window, text, monkeypatch) -> None:
    opened = []
    monkeypatch.setattr(main_window.counter, "open_dossier", opened.append)
    main_window.handle_scan(text)
    assert "không phải" in main_window.statusBar().currentMessage() and opened == []


def test_the_counter_stays_up_if_the_recogniser_raises(main_window, monkeypatch, caplog) -> None:
    def broken(text, **_kw):
        raise RuntimeError("a bug")
    monkeypatch.setattr(scanning, "recognise", broken)
    main_window.handle_scan("038190012345|secret")
    assert "không phải" in main_window.statusBar().currentMessage()
    assert "a bug" in caplog.text and "secret" not in caplog.text


def test_the_counter_reads_the_address_again_when_the_admin_changes_it(qtbot, desk, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    admin = auth.login(desk, "admin", "matkhau-admin")
    w = MainWindow(desk, admin, runner, "Trung tâm", preview=lambda *_a: 0)
    qtbot.addWidget(w)
    page = w.admin.agency
    page.reload()
    page.fields["public_base_url"].setText("https://dvc.example.vn")
    page.save()
    assert w.public_base_url == "https://dvc.example.vn"
    w.idle.stop()
    w.close()

"""The desk writes desk-app.log in its data folder; uncaught exceptions land there; error boxes name it."""

from __future__ import annotations

import logging
import sys
import threading
import types
from logging.handlers import RotatingFileHandler

import pytest

from desk_app import logs
from desk_app.cli import main


def fake_app(run):
    """``desk_app.ui.app`` as the CLI imports it, without starting Qt."""
    return types.SimpleNamespace(run=run)


@pytest.mark.qt_no_exception_capture  # the hooks under test chain to pytest-qt's and pytest's own
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_the_application_logs_to_its_data_folder(tmp_path, monkeypatch) -> None:
    data = tmp_path / "desk data"
    seen = {}

    def run(data_dir):
        seen["file"] = logs.log_file()
        seen["handler"] = next(h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler))
        logging.getLogger("desk_app.ui.intake").error("could not save: %s", "disk full")
        logging.getLogger("desk_app.services").info("a dossier was saved")
        try:
            raise ValueError("a bug on the GUI thread")
        except ValueError:
            sys.excepthook(*sys.exc_info())          # as Qt does for an exception in a slot

        def work():
            raise RuntimeError("a bug on a worker thread")
        worker = threading.Thread(target=work, name="camera-decode")
        worker.start()
        worker.join()
        return 0

    monkeypatch.setitem(sys.modules, "desk_app.ui.app", fake_app(run))
    hooks = (sys.excepthook, threading.excepthook)
    assert main(["--data-dir", str(data)]) == 0

    path = data / "desk-app.log"
    assert seen["file"] == path
    assert (seen["handler"].maxBytes, seen["handler"].backupCount) == (1_000_000, 5)
    text = path.read_text("utf-8")
    assert "ERROR desk_app.ui.intake [MainThread]: could not save: disk full" in text
    assert "a dossier was saved" in text
    assert "CRITICAL desk_app" in text and "ValueError: a bug on the GUI thread" in text
    assert "uncaught exception in thread camera-decode" in text and "RuntimeError: a bug on a worker thread" in text
    assert "Traceback" in text
    # and logging is left as it was: no handler on a closed file, the hooks restored
    assert logs.log_file() is None and (sys.excepthook, threading.excepthook) == hooks


def test_an_exception_leaving_the_application_is_logged(tmp_path, monkeypatch) -> None:
    def run(data_dir):
        raise KeyError("crash at start-up")
    monkeypatch.setitem(sys.modules, "desk_app.ui.app", fake_app(run))
    with pytest.raises(KeyError):
        main(["--data-dir", str(tmp_path)])
    assert "KeyError: 'crash at start-up'" in (tmp_path / "desk-app.log").read_text("utf-8")


def test_the_log_rotates_at_a_megabyte_keeping_five(tmp_path) -> None:
    with logs.to_data_dir(tmp_path) as path:
        for _ in range(7 * 1100):
            logging.getLogger("desk_app.test").warning("x" * 1000)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["desk-app.log"] + ["desk-app.log.%d" % i for i in range(1, 6)]
    assert all(p.stat().st_size <= 1_000_000 for p in tmp_path.iterdir())
    assert path == tmp_path / "desk-app.log"


def test_a_folder_that_cannot_be_written_runs_without_a_log(tmp_path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with logs.to_data_dir(blocker / "data") as path:
        assert path is None and logs.log_file() is None
    assert "cannot write the log file" in capsys.readouterr().err


def test_the_error_box_names_the_log_file(tmp_path) -> None:
    from desk_app.ui.tasks import unexpected_error_text
    assert "nhật ký" in unexpected_error_text()
    with logs.to_data_dir(tmp_path) as path:
        text = unexpected_error_text()
    assert str(path) in text and "nhật ký" in text

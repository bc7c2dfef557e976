"""The desk's log file: ``desk-app.log`` in the data folder, rotated at 1 MB, five kept.

Error boxes tell the clerk that the details are in the log; this is that log. ``to_data_dir``
sends the desk's records there (and warnings to stderr, as before), and logs uncaught exceptions,
on the GUI thread (``sys.excepthook``, which Qt's slots go through too) and on any other thread
(``threading.excepthook``). ``log_file`` names the file, for the error boxes.

Scanned texts, names and ID numbers are not logged by the code that uses this; keep it so.
"""

from __future__ import annotations

import logging
import sys
import threading
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Iterator

LOG_NAME = "desk-app.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"

log = logging.getLogger("desk_app")


class _DeskLogFile(RotatingFileHandler):
    """Our handler, so ``log_file`` finds it among whatever else is installed."""


def log_file() -> Path | None:
    """The log file the desk is writing now, or None (tests, tools that log nowhere)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _DeskLogFile):
            return Path(handler.baseFilename)
    return None


@contextmanager
def to_data_dir(data_dir: Path | str) -> Iterator[Path | None]:
    """Within the block, log to ``data_dir``/desk-app.log and log every uncaught exception there.

    Leaves logging as it found it when the block ends (the process usually ends with it; tests
    run several commands in one process).
    """
    folder = Path(data_dir)
    path = folder / LOG_NAME
    root = logging.getLogger()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = _DeskLogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as e:  # a read-only or missing folder: run without a log file rather than not at all
        print("desk-app: cannot write the log file %s: %s" % (path, e), file=sys.stderr)
        yield None
        return
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(FORMAT))
    console = None
    if not root.handlers:  # what logging.basicConfig would have given: warnings on stderr
        console = logging.StreamHandler()
        console.setLevel(logging.WARNING)
        console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    root.addHandler(handler)
    old_root_level, old_desk_level = root.level, log.level
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    log.setLevel(logging.INFO)
    old_hook, old_thread_hook = sys.excepthook, threading.excepthook

    def excepthook(kind, value, tb) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            log.critical("uncaught exception", exc_info=(kind, value, tb))
        old_hook(kind, value, tb)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit:
            name = args.thread.name if args.thread is not None else "?"
            log.critical("uncaught exception in thread %s", name,
                         exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        old_thread_hook(args)

    sys.excepthook, threading.excepthook = excepthook, thread_excepthook
    log.info("desk-app started; data folder %s", folder)
    try:
        yield path
    except Exception:  # leaving main(): the hook below is gone by the time Python would call it
        log.critical("uncaught exception", exc_info=True)
        raise
    finally:
        if sys.excepthook is excepthook:
            sys.excepthook = old_hook
        if threading.excepthook is thread_excepthook:
            threading.excepthook = old_thread_hook
        root.removeHandler(handler)
        handler.close()
        if console is not None:
            root.removeHandler(console)
        root.setLevel(old_root_level)
        log.setLevel(old_desk_level)

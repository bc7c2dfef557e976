"""Dossier codes stay unique when several desks and threads save at the same moment."""

import multiprocessing
import threading
from pathlib import Path

from desk_app.domain.codes import parse_dossier_code
from desk_app.services import intake
from desk_app.services.context import open_desk
from tests.conftest import birth_form


def _save_many(ctx, user, n, out, errors):
    try:
        for _ in range(n):
            out.append(intake.save(ctx, user, birth_form(), print_receipt=False).code)
    except Exception as e:  # reported to the main thread
        errors.append(e)


def test_two_desks_many_threads_never_repeat_a_code(desk, clock):
    other = open_desk(desk.data_dir, desk_id="desk-B", clock=clock)  # a second counter, same site
    codes: list[str] = []
    errors: list[Exception] = []
    threads = [threading.Thread(target=_save_many, args=(ctx, desk.clerk, 15, codes, errors))
               for ctx in (desk, other) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(codes) == 120 and len(set(codes)) == 120
    numbers = sorted(parse_dossier_code(c).number for c in codes)
    # each desk used up exactly three blocks of 20, so the day has no gaps either
    assert numbers == list(range(1, 121))
    other.db.dispose()


def _process(data_dir: str, desk_id: str, n: int, queue) -> None:
    from desk_app.services.context import CurrentUser
    from desk_app.domain.roles import Role
    ctx = open_desk(Path(data_dir), desk_id=desk_id)
    clerk = CurrentUser(2, "tiepnhan", "Nguyễn Thị Thu Hương", Role.CLERK)
    codes, errors = [], []
    threads = [threading.Thread(target=_save_many, args=(ctx, clerk, n, codes, errors)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put((codes, [repr(e) for e in errors]))


def test_two_processes_never_repeat_a_code(desk):
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    procs = [mp.Process(target=_process, args=(str(desk.data_dir), "desk-%d" % i, 10, queue)) for i in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    codes = [c for r in results for c in r[0]]
    assert [e for r in results for e in r[1]] == []
    assert len(codes) == 40 and len(set(codes)) == 40

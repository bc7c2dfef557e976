"""SQLite's planner statistics are gathered once the dossiers have doubled since the last time,
not at every start: the count at the last gathering is kept, not the sampled estimate."""

from __future__ import annotations

from sqlalchemy import event

from desk_app.services import intake
from desk_app.storage.db import keep_statistics
from tests.conftest import birth_form


def _analyses(ctx) -> list[str]:
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_):
        if statement.strip().upper().startswith("ANALYZE"):
            seen.append(statement)
    event.listen(ctx.db.engine, "before_cursor_execute", note)
    return seen


def _user_version(ctx) -> int:
    with ctx.db.read_engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA user_version").scalar()


def test_gathered_when_doubled_and_not_again_before(office):
    d = office
    codes = [intake.save(d, d.clerk_at_counter, birth_form(name="Nguyễn Văn " + given), print_receipt=False).code
             for given in ("An", "Bình", "Cường")]
    analyses = _analyses(d)
    keep_statistics(d.db.read_engine, d.db.engine, least=2)
    assert len(analyses) == 1 and _user_version(d) == 3
    keep_statistics(d.db.read_engine, d.db.engine, least=2)   # three dossiers, as when gathered
    intake.save(d, d.clerk_at_counter, birth_form(name="Trần Thị Bốn"), print_receipt=False)
    intake.save(d, d.clerk_at_counter, birth_form(name="Trần Thị Năm"), print_receipt=False)
    keep_statistics(d.db.read_engine, d.db.engine, least=2)   # five: not yet doubled
    assert len(analyses) == 1
    intake.save(d, d.clerk_at_counter, birth_form(name="Trần Thị Sáu"), print_receipt=False)
    keep_statistics(d.db.read_engine, d.db.engine, least=2)   # six: doubled
    assert len(analyses) == 2 and _user_version(d) == 6
    assert len(codes) == 3


def test_below_the_least_nothing_is_gathered(office):
    d = office
    intake.save(d, d.clerk_at_counter, birth_form(name="Nguyễn Văn An"), print_receipt=False)
    analyses = _analyses(d)
    keep_statistics(d.db.read_engine, d.db.engine)
    assert analyses == [] and _user_version(d) == 0

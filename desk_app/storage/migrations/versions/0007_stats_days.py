"""a period's statistics read a roll-up by day kept by triggers, not a year of rows (a million dossiers)

A year's statistics at a million dossiers took 3-5 s of CPU (10-20 s on a busy machine): a pass
over a million index entries with a dozen comparisons each, and 300,000 rating and supplement
events joined to their dossier. ``stats_days`` holds, per day and per grouping key (``dim``:
``u`` the handling unit, ``p`` the procedure version, ``c`` the receiving clerk), what each
dossier and each such event adds to the figures; a period of whole days sums its days.

Triggers keep it, so every writer does (the services, a sync's pull in bulk, a benchmark's fill):
a dossier's row adds its receipt on the day it was received and its finish on the day it
finished (with its verdict and working seconds) to its current keys, and takes them back before
a change; a supplement request or a rating adds to its dossier's current keys on its day, and
moves with them when the dossier goes to another unit. What only the rows can say (overdue at
the period's end, open dossiers, a finish dated before its receipt by another desk's clock) is
still read from rows: ``services.statistics``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# frozen here, as this revision writes them (the reducer's values at the time)
ACCEPTED = "(R.stage IS NULL OR R.stage NOT IN ('online', 'online_supplement'))"
DIMS = (("u", "coalesce(R.handling_unit_id, 0)"), ("p", "R.procedure_id"), ("c", "R.clerk_id"))
KINDS = "('supplement_requested', 'rated')"
LEVELS = ("very_satisfied", "satisfied", "unsatisfied")


def _received(row: str, sign: str, accepted: str) -> list[str]:
    return [("INSERT INTO stats_days (dim, key, day, received) SELECT '%s', %s, substr(R.received_at, 1, 10), %s "
             "WHERE %s AND R.received_at IS NOT NULL "
             "ON CONFLICT (dim, key, day) DO UPDATE SET received = received + excluded.received"
             % (dim, key, sign, accepted)).replace("R.", row + ".") for dim, key in DIMS]


def _finished(row: str, sign: str, accepted: str) -> list[str]:
    timed = "R.outcome IN ('early', 'on_time', 'late')"
    return [("INSERT INTO stats_days (dim, key, day, finished, early, on_time, late, seconds) "
             "SELECT '%s', %s, substr(R.finished_at, 1, 10), %s, %s * (R.outcome IS 'early'), "
             "%s * (R.outcome IS 'on_time'), %s * (R.outcome IS 'late'), "
             "%s * CASE WHEN %s THEN coalesce(R.processing_seconds, 0) ELSE 0 END "
             "WHERE R.finished_at IS NOT NULL AND %s AND substr(R.finished_at, 1, 10) >= substr(R.received_at, 1, 10) "
             "ON CONFLICT (dim, key, day) DO UPDATE SET finished = finished + excluded.finished, "
             "early = early + excluded.early, on_time = on_time + excluded.on_time, late = late + excluded.late, "
             "seconds = seconds + excluded.seconds"
             % (dim, key, sign, sign, sign, sign, sign, timed, accepted)).replace("R.", row + ".")
            for dim, key in DIMS]


def _events(dossier: str, event: str, sign: str, source: str) -> list[str]:
    """What the rating and supplement events add to their dossier's keys: ``source`` names where
    ``E`` (the events) and ``R`` (their dossier) come from."""
    level = ", ".join("%s * (E.kind = 'rated' AND json_extract(E.payload, '$.level') IS '%s')" % (sign, lv)
                      for lv in LEVELS)
    return [("INSERT INTO stats_days (dim, key, day, supplements, very_satisfied, satisfied, unsatisfied) "
             "SELECT '%s', %s, substr(E.desk_time, 1, 10), %s * (E.kind = 'supplement_requested'), %s "
             "%s AND E.kind IN %s "
             "ON CONFLICT (dim, key, day) DO UPDATE SET supplements = supplements + excluded.supplements, "
             "very_satisfied = very_satisfied + excluded.very_satisfied, "
             "satisfied = satisfied + excluded.satisfied, unsatisfied = unsatisfied + excluded.unsatisfied"
             % (dim, key, sign, level, source, KINDS)).replace("R.", dossier + ".").replace("E.", event + ".")
            for dim, key in DIMS]


def _trigger(name: str, when: str, statements: list[str]) -> str:
    return "CREATE TRIGGER %s %s BEGIN %s; END" % (name, when, "; ".join(statements))


def _changed(columns) -> str:
    return " OR ".join("OLD.%s IS NOT NEW.%s" % (c, c) for c in columns)


def _one(statements: list[str], dim: str) -> list[str]:
    """Of the statements made for every dim, those of ``dim`` (they are made in ``DIMS``' order)."""
    return [statements[i] for i, (d, _key) in enumerate(DIMS * (len(statements) // len(DIMS))) if d == dim]


# the events of a dossier (its rows through ix_events_dossier); of an event, its dossier (by code)
OF_DOSSIER = "FROM events E WHERE E.dossier_code = R.code"
OF_EVENT = "FROM dossiers R WHERE R.code = E.dossier_code"
# what a dossier's own figures read besides its key (a change of stage alone, most steps, fires nothing)
FIGURES = ("received_at", "finished_at", "outcome", "processing_seconds")
KEY_COLUMN = {"u": "handling_unit_id", "p": "procedure_id", "c": "clerk_id"}


def triggers(accepted: str) -> dict[str, str]:
    """The triggers, by name, for ``accepted``: the SQL condition, on a dossier's row ``R``, of a
    received dossier (this revision's ``ACCEPTED``; a later revision that changes the stages it
    names recreates them with its own)."""
    # whether an update of a row accepts it or takes it back
    acceptance = "(%s) IS NOT (%s)" % (accepted.replace("R.", "OLD."), accepted.replace("R.", "NEW."))
    made = {
        "stats_dossier_insert": _trigger(
            "stats_dossier_insert", "AFTER INSERT ON dossiers",
            _received("NEW", "1", accepted) + _finished("NEW", "1", accepted)
            + _events("NEW", "E", "1", OF_DOSSIER)),
        "stats_dossier_delete": _trigger(
            "stats_dossier_delete", "AFTER DELETE ON dossiers",
            _received("OLD", "-1", accepted) + _finished("OLD", "-1", accepted)
            + _events("OLD", "E", "-1", OF_DOSSIER)),
        "stats_event_insert": _trigger(
            "stats_event_insert", "AFTER INSERT ON events WHEN NEW.kind IN %s" % KINDS,
            _events("R", "NEW", "1", OF_EVENT.replace("E.", "NEW."))),
        "stats_event_delete": _trigger(
            "stats_event_delete", "AFTER DELETE ON events WHEN OLD.kind IN %s" % KINDS,
            _events("R", "OLD", "-1", OF_EVENT.replace("E.", "OLD."))),
        "stats_event_update": _trigger(
            "stats_event_update", "AFTER UPDATE OF kind, desk_time, payload, dossier_code ON events WHEN "
            "(OLD.kind IN %s OR NEW.kind IN %s) AND (%s)" % (KINDS, KINDS,
                                                             _changed(("kind", "desk_time", "payload", "dossier_code"))),
            _events("R", "OLD", "-1", OF_EVENT.replace("E.", "OLD."))
            + _events("R", "NEW", "1", OF_EVENT.replace("E.", "NEW."))),
    }
    moved = (_received("OLD", "-1", accepted) + _finished("OLD", "-1", accepted)
             + _received("NEW", "1", accepted) + _finished("NEW", "1", accepted))
    # a change of stage that accepts a dossier (or takes it back) moves all its figures, in every grouping
    made["stats_dossier_accepted"] = _trigger(
        "stats_dossier_accepted", "AFTER UPDATE OF stage ON dossiers WHEN %s" % acceptance, moved)
    for dim, column in KEY_COLUMN.items():
        # otherwise a dossier's figures move when they change, or its key for this grouping does
        made["stats_dossier_update_" + dim] = _trigger(
            "stats_dossier_update_" + dim, "AFTER UPDATE OF %s ON dossiers WHEN (%s) AND NOT (%s)"
            % (", ".join(FIGURES + (column,)), _changed(FIGURES + (column,)), acceptance), _one(moved, dim))
        # its rating and supplement events move with its key (or its code)
        made["stats_dossier_keys_" + dim] = _trigger(
            "stats_dossier_keys_" + dim, "AFTER UPDATE OF code, %s ON dossiers WHEN %s"
            % (column, _changed(("code", column))),
            _one(_events("OLD", "E", "-1", OF_DOSSIER) + _events("NEW", "E", "1", OF_DOSSIER), dim))
    return made


TRIGGERS = triggers(ACCEPTED)


def build_statements(accepted: str = ACCEPTED) -> list[str]:
    """Fill ``stats_days`` from the dossiers and events already there (one pass each, grouped);
    ``accepted`` as in ``triggers``."""
    out = []
    for dim, key in DIMS:
        key_d = key.replace("R.", "d.")
        out.append("INSERT INTO stats_days (dim, key, day, received) SELECT '%s', %s, substr(d.received_at, 1, 10), "
                   "count(*) FROM dossiers d WHERE %s AND d.received_at IS NOT NULL GROUP BY 2, 3 "
                   "ON CONFLICT (dim, key, day) DO UPDATE SET received = received + excluded.received"
                   % (dim, key_d, accepted.replace("R.", "d.")))
        out.append("INSERT INTO stats_days (dim, key, day, finished, early, on_time, late, seconds) "
                   "SELECT '%s', %s, substr(d.finished_at, 1, 10), count(*), sum(d.outcome IS 'early'), "
                   "sum(d.outcome IS 'on_time'), sum(d.outcome IS 'late'), "
                   "sum(CASE WHEN d.outcome IN ('early', 'on_time', 'late') THEN coalesce(d.processing_seconds, 0) "
                   "ELSE 0 END) FROM dossiers d WHERE d.finished_at IS NOT NULL AND %s "
                   "AND substr(d.finished_at, 1, 10) >= substr(d.received_at, 1, 10) GROUP BY 2, 3 "
                   "ON CONFLICT (dim, key, day) DO UPDATE SET finished = finished + excluded.finished, "
                   "early = early + excluded.early, on_time = on_time + excluded.on_time, "
                   "late = late + excluded.late, seconds = seconds + excluded.seconds"
                   % (dim, key_d, accepted.replace("R.", "d.")))
        levels = ", ".join("sum(e.kind = 'rated' AND json_extract(e.payload, '$.level') IS '%s')" % lv
                           for lv in LEVELS)
        out.append("INSERT INTO stats_days (dim, key, day, supplements, very_satisfied, satisfied, unsatisfied) "
                   "SELECT '%s', %s, substr(e.desk_time, 1, 10), sum(e.kind = 'supplement_requested'), %s "
                   "FROM events e JOIN dossiers d ON d.code = e.dossier_code WHERE e.kind IN %s GROUP BY 2, 3 "
                   "ON CONFLICT (dim, key, day) DO UPDATE SET supplements = supplements + excluded.supplements, "
                   "very_satisfied = very_satisfied + excluded.very_satisfied, "
                   "satisfied = satisfied + excluded.satisfied, unsatisfied = unsatisfied + excluded.unsatisfied"
                   % (dim, key_d, levels, KINDS))
    return out


def upgrade() -> None:
    op.create_table(
        'stats_days',
        sa.Column('dim', sa.String(length=1), nullable=False),
        sa.Column('key', sa.Integer(), nullable=False),
        sa.Column('day', sa.String(length=10), nullable=False),
        *[sa.Column(c, sa.Integer(), nullable=False, server_default='0')
          for c in ('received', 'finished', 'early', 'on_time', 'late', 'seconds', 'supplements')
          + LEVELS],
        sa.PrimaryKeyConstraint('dim', 'key', 'day'))
    # what the rows still answer: the dossiers finished after a period's end, and a finish dated
    # before its receipt (another desk's clock)
    op.create_index('ix_dossiers_finished', 'dossiers', ['finished_at'])
    op.execute("CREATE INDEX ix_dossiers_finished_early ON dossiers (finished_at) "
               "WHERE substr(finished_at, 1, 10) < substr(received_at, 1, 10)")
    for statement in build_statements():
        op.execute(statement)
    for sql in TRIGGERS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute("DROP TRIGGER %s" % name)
    op.execute("DROP INDEX ix_dossiers_finished_early")
    op.drop_index('ix_dossiers_finished', table_name='dossiers')
    op.drop_table('stats_days')

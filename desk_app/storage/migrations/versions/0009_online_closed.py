"""an online submission refused or withdrawn before the counter accepted it is in no statistics: stage 'online_closed'

Such a submission was never received (domain.md: status 3 "Không được tiếp nhận"), yet the
reducer closed it like any refused dossier (stage 'closed', its submission time kept as
``received_at``, which the desk's rows hold NOT NULL), and 0007's roll-up and the services'
rows counted every stage but 'online' and 'online_supplement': it was counted received, and
finished. The reducer now closes it in a stage of its own, 'online_closed', that no figure
counts; this revision gives 0007's triggers the condition that leaves it out too (0007 builds
them from its ``ACCEPTED``, which stays frozen as that revision wrote it), and restages the
dossiers already closed so: closed, opened by an online submission (channel 'online', a
'submitted_online' event), never accepted (no 'accepted_online' event the server took). The
new triggers are in place first, so the stage's change takes their figures out of
``stats_days``; the downgrade puts them back the same way, then 0007's triggers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 05:00:00
"""
import importlib.util
from pathlib import Path

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# frozen here, as this revision writes them (the reducer's values at the time)
ACCEPTED = "(R.stage IS NULL OR R.stage NOT IN ('online', 'online_supplement', 'online_closed'))"
RESTAGE = ("UPDATE dossiers SET stage = 'online_closed' WHERE stage = 'closed' AND channel = 'online' "
           "AND EXISTS (SELECT 1 FROM events e WHERE e.dossier_code = dossiers.code AND e.kind = 'submitted_online') "
           "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.dossier_code = dossiers.code "
           "AND e.kind = 'accepted_online' AND e.id NOT IN (SELECT event_id FROM sync_conflicts))")
UNSTAGE = "UPDATE dossiers SET stage = 'closed' WHERE stage = 'online_closed'"


def stats_days_revision():
    """Revision 0007's module: its triggers and build statements, made from a condition (the
    versions folder is not a package: loaded from its file)."""
    path = Path(__file__).with_name("0007_stats_days.py")
    spec = importlib.util.spec_from_file_location("desk_revision_0007", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def triggers() -> dict[str, str]:
    """The roll-up's triggers as this revision leaves them."""
    return stats_days_revision().triggers(ACCEPTED)


def build_statements() -> list[str]:
    """Fill ``stats_days`` from the rows already there, as this revision's triggers count."""
    return stats_days_revision().build_statements(ACCEPTED)


def _recreate(made: dict[str, str]) -> None:
    for name, sql in made.items():
        op.execute("DROP TRIGGER %s" % name)
        op.execute(sql)


def upgrade() -> None:
    _recreate(triggers())
    op.execute(RESTAGE)


def downgrade() -> None:
    op.execute(UNSTAGE)
    _recreate(stats_days_revision().TRIGGERS)

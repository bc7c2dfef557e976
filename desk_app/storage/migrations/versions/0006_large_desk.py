"""indexes that carry every column the queues and a period's statistics read (a million dossiers)

At a million dossiers (issue 14) the open-dossiers index and the statistics index missed a few
columns the queries read (received_at, paused_since, finished_at; stage, outcome), so each of
their rows sent SQLite to the wide table row: the queues' counts took seconds and a year's
statistics most of a minute. The events' statistics join the dossier by code for its unit,
clerk and procedure: ``ix_dossiers_code_keys`` answers that from the index. A unit's queues
(a filter change) read its own open dossiers from ``ix_dossiers_open_unit``. The planner's
statistics are gathered too (``storage.db.keep_statistics``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:15:00
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OPEN_OLD = "due_at, status, stage, holder_unit_id, holder_user, hop_due_at, holder_since"
OPEN_NEW = OPEN_OLD + ", received_at, paused_since, finished_at"
STATS_OLD = ['received_at', 'finished_at', 'due_at', 'supplement_count', 'processing_seconds', 'handling_unit_id',
             'clerk_id', 'procedure_id']
STATS_NEW = STATS_OLD + ['outcome', 'stage', 'paused_since']


def upgrade() -> None:
    op.execute("DROP INDEX ix_dossiers_open")
    op.execute("CREATE INDEX ix_dossiers_open ON dossiers (%s) WHERE finished_at IS NULL" % OPEN_NEW)
    op.drop_index('ix_dossiers_stats', table_name='dossiers')
    op.create_index('ix_dossiers_stats', 'dossiers', STATS_NEW)
    op.create_index('ix_dossiers_code_keys', 'dossiers', ['code', 'handling_unit_id', 'clerk_id', 'procedure_id'])
    op.execute("CREATE INDEX ix_dossiers_open_unit ON dossiers (holder_unit_id, %s) WHERE finished_at IS NULL"
               % OPEN_NEW.replace("holder_unit_id, ", ""))


def downgrade() -> None:
    op.execute("DROP INDEX ix_dossiers_open_unit")
    op.drop_index('ix_dossiers_code_keys', table_name='dossiers')
    op.drop_index('ix_dossiers_stats', table_name='dossiers')
    op.create_index('ix_dossiers_stats', 'dossiers', STATS_OLD)
    op.execute("DROP INDEX ix_dossiers_open")
    op.execute("CREATE INDEX ix_dossiers_open ON dossiers (%s) WHERE finished_at IS NULL" % OPEN_OLD)

"""dossier state from the domain reducer: the three dates, stage, pauses, verdict

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


COLUMNS = (
    ('stage', lambda: sa.String(length=20), dict(nullable=False, server_default='received')),
    ('appointment_at', sa.DateTime, {}),
    ('first_due_at', sa.DateTime, {}),
    ('counter_unit', lambda: sa.String(length=50), {}),
    ('holder_user', lambda: sa.String(length=100), {}),
    ('holder_since', sa.DateTime, {}),
    ('handling_unit', lambda: sa.String(length=50), {}),
    ('hop_due_at', sa.DateTime, {}),
    ('paused_since', sa.DateTime, {}),
    ('paused_seconds', sa.Integer, dict(nullable=False, server_default='0')),
    ('resume_stage', lambda: sa.String(length=20), {}),
    ('supplement_count', sa.Integer, dict(nullable=False, server_default='0')),
    ('payment_amount', sa.BigInteger, dict(nullable=False, server_default='0')),
    ('processing_seconds', sa.Integer, {}),
    ('outcome', lambda: sa.String(length=20), {}),
    ('apology_reason', sa.Text, dict(nullable=False, server_default='')),
    ('rating', lambda: sa.String(length=20), {}),
)


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        for name, kind, extra in COLUMNS:
            batch_op.add_column(sa.Column(name, kind(), **{'nullable': True, **extra}))
    # rows projected before the reducer: their appointment was the legal one (a later
    # replay of the log, ``desk-app server replay``, recomputes every column)
    op.execute("UPDATE dossiers SET appointment_at = due_at, first_due_at = due_at")


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        for name, _kind, _extra in reversed(COLUMNS):
            batch_op.drop_column(name)

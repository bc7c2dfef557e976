"""dossier row from the domain reducer: the three dates, pauses, verdict

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE, not batch mode: recreating ``dossiers`` would drop the triggers that
    # keep its full-text index (``dossier_fts``) up to date
    op.add_column('dossiers', sa.Column('first_due_at', sa.DateTime(), nullable=True))
    op.add_column('dossiers', sa.Column('counter_unit_id', sa.Integer(), nullable=True))
    op.add_column('dossiers', sa.Column('resume_stage', sa.String(length=20), nullable=True))
    op.add_column('dossiers', sa.Column('payment_amount', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('dossiers', sa.Column('apology_reason', sa.Text(), nullable=False, server_default=''))
    op.add_column('dossiers', sa.Column('outcome', sa.String(length=20), nullable=True))
    op.create_index(op.f('ix_dossiers_outcome'), 'dossiers', ['outcome'], unique=False)
    # the rating was never written as a number: it becomes the level's name
    op.drop_column('dossiers', 'rating')
    op.add_column('dossiers', sa.Column('rating', sa.String(length=20), nullable=True))
    # rows written before the reducer: the receipt's date was the legal appointment
    op.execute("UPDATE dossiers SET first_due_at = due_at WHERE first_due_at IS NULL")


def downgrade() -> None:
    op.drop_index(op.f('ix_dossiers_outcome'), table_name='dossiers')
    for name in ('rating', 'outcome', 'apology_reason', 'payment_amount', 'resume_stage', 'counter_unit_id',
                 'first_due_at'):
        op.drop_column('dossiers', name)
    op.add_column('dossiers', sa.Column('rating', sa.Integer(), nullable=True))

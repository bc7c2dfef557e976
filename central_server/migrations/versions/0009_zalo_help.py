"""when a Zalo user not linked to any dossier was last sent the help text (once an hour)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('zalo_users') as batch:
        batch.add_column(sa.Column('help_sent_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('zalo_users') as batch:
        batch.drop_column('help_sent_at')

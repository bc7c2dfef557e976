"""announcements.revision: the server's own version of the row, one more at every update (the
desk's updated_at can stay the same while the text changes)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('announcements') as batch:
        batch.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default=sa.text('0')))


def downgrade() -> None:
    with op.batch_alter_table('announcements') as batch:
        batch.drop_column('revision')

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
    pass


def downgrade() -> None:
    pass

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


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

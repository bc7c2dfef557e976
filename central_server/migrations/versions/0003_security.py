"""security: an enrolment code that re-admits an existing desk names it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 07:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enrolment_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('readmit_desk_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enrolment_codes', schema=None) as batch_op:
        batch_op.drop_column('readmit_desk_id')

"""the register of guidance given at the counter (Mẫu 02 / Mẫu 03 without a received dossier)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('guidance_given',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('clerk', sa.String(length=100), nullable=False),
    sa.Column('desk_id', sa.String(length=64), nullable=False),
    sa.Column('procedure_code', sa.String(length=60), nullable=False),
    sa.Column('procedure_name', sa.String(length=500), nullable=False),
    sa.Column('applicant', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('file', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_index(op.f('ix_guidance_given_issued_at'), 'guidance_given', ['issued_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_guidance_given_issued_at'), table_name='guidance_given')
    op.drop_table('guidance_given')

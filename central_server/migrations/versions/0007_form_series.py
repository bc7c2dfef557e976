"""number series of the printed forms (Mẫu 02/03/04): counters and leases per agency, series and year

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('series_counters',
    sa.Column('agency_code', sa.String(length=20), nullable=False),
    sa.Column('series', sa.String(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_leased', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agency_code', 'series', 'year')
    )
    op.create_table('series_leases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('agency_code', sa.String(length=20), nullable=False),
    sa.Column('series', sa.String(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('desk_id', sa.String(length=64), nullable=False),
    sa.Column('first', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('leased_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agency_code', 'series', 'year', 'first'),
    sa.UniqueConstraint('request_id')
    )
    op.create_index(op.f('ix_series_leases_desk_id'), 'series_leases', ['desk_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_series_leases_desk_id'), table_name='series_leases')
    op.drop_table('series_leases')
    op.drop_table('series_counters')

"""the citizen's side: unanswered messages, announcements, centre profiles, the public catalogue

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 07:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unanswered_messages', sa.Integer(), nullable=False, server_default='0'))
    op.create_table('announcements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agency_code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('valid_until', sa.DateTime(), nullable=True),
    sa.Column('procedures', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('desk', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_announcements_agency', 'announcements', ['agency_code', 'valid_from'], unique=False)
    op.create_table('centre_profiles',
    sa.Column('agency_code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Text(), nullable=False),
    sa.Column('counter_location', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('agency_code')
    )
    op.create_table('public_procedures',
    sa.Column('agency_code', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('field', sa.String(length=200), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('agency_code', 'code')
    )


def downgrade() -> None:
    op.drop_table('public_procedures')
    op.drop_table('centre_profiles')
    op.drop_index('ix_announcements_agency', table_name='announcements')
    op.drop_table('announcements')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('unanswered_messages')

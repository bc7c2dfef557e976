"""online submissions: drafts under their own link, the citizen's files by dossier, the counter unit that checks them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('online_drafts',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('agency_code', sa.String(length=20), nullable=False),
    sa.Column('procedure_code', sa.String(length=60), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('dossier_code', sa.String(length=40), nullable=True),
    sa.Column('dossier_key', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_index(op.f('ix_online_drafts_updated_at'), 'online_drafts', ['updated_at'], unique=False)
    op.create_table('online_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('sha256', 'dossier_code')
    )
    with op.batch_alter_table('centre_profiles') as batch:
        batch.add_column(sa.Column('counter_unit', sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('centre_profiles') as batch:
        batch.drop_column('counter_unit')
    op.drop_table('online_files')
    op.drop_index(op.f('ix_online_drafts_updated_at'), table_name='online_drafts')
    op.drop_table('online_drafts')

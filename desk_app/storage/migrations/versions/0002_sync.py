"""sync with the central server: enrolment, conflicts, unseen dossiers, attachment transfers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_url', sa.String(length=300), nullable=False),
    sa.Column('token', sa.String(length=200), nullable=False),
    sa.Column('agency_code', sa.String(length=20), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.Column('pull_cursor', sa.BigInteger(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_success_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('reachable', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sync_conflicts',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('desk', sa.String(length=64), nullable=False),
    sa.Column('desk_time', sa.DateTime(), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('own', sa.Boolean(), nullable=False),
    sa.Column('server_seq', sa.BigInteger(), nullable=True),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_conflicts_dossier_code'), ['dossier_code'], unique=False)
    op.create_table('unseen_dossiers',
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.Column('last_kind', sa.String(length=40), nullable=False),
    sa.Column('from_desk', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('dossier_code')
    )
    op.create_table('attachment_uploads',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('attachment_downloads',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('attachment_downloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_downloads_dossier_code'), ['dossier_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_downloads_sha256'), ['sha256'], unique=False)
    # The outbox keeps its sent rows; counting the unsent ones must not read them all.
    op.create_index('ix_outbox_unsent', 'outbox', ['sent_at'], unique=False)
    # A dossier's history in the server's order (pulled and acknowledged events have one).
    op.create_index('ix_events_server_seq', 'events', ['server_seq'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_events_server_seq', table_name='events')
    op.drop_index('ix_outbox_unsent', table_name='outbox')
    with op.batch_alter_table('attachment_downloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_downloads_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachment_downloads_dossier_code'))
    op.drop_table('attachment_downloads')
    op.drop_table('attachment_uploads')
    op.drop_table('unseen_dossiers')
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_conflicts_dossier_code'))
    op.drop_table('sync_conflicts')
    op.drop_table('sync_config')

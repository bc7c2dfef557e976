"""citizen notices: Zalo OA links, webhook inbox, tokens, the notices' outbox, preferences, worker leases

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notify_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('via', sa.String(length=20), nullable=True),
    sa.Column('recipient', sa.String(length=200), nullable=True),
    sa.Column('provider_id', sa.String(length=100), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'channel')
    )
    op.create_index('ix_notify_outbox_dossier', 'notify_outbox', ['dossier_code', 'id'], unique=False)
    op.create_index('ix_notify_outbox_status', 'notify_outbox', ['status', 'id'], unique=False)
    op.create_table('notify_preferences',
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.Column('notify', sa.Boolean(), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('dossier_code')
    )
    op.create_table('worker_leases',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('zalo_inbox',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('event_name', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('processed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index('ix_zalo_inbox_pending', 'zalo_inbox', ['processed_at', 'received_at'], unique=False)
    op.create_table('zalo_link_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('used_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('code_hash')
    )
    op.create_index(op.f('ix_zalo_link_codes_dossier_code'), 'zalo_link_codes', ['dossier_code'], unique=False)
    op.create_table('zalo_links',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.Column('unlinked_at', sa.DateTime(), nullable=True),
    sa.Column('unlinked_by', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_zalo_links_dossier', 'zalo_links', ['dossier_code', 'unlinked_at'], unique=False)
    op.create_index('ix_zalo_links_user', 'zalo_links', ['user_id', 'unlinked_at'], unique=False)
    op.create_table('zalo_tokens',
    sa.Column('oa_id', sa.String(length=64), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('failed_at', sa.DateTime(), nullable=True),
    sa.Column('failure', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('oa_id')
    )
    op.create_table('zalo_users',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('follower', sa.Boolean(), nullable=False),
    sa.Column('last_interaction_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('user_id')
    )


def downgrade() -> None:
    op.drop_table('zalo_users')
    op.drop_table('zalo_tokens')
    op.drop_index('ix_zalo_links_user', table_name='zalo_links')
    op.drop_index('ix_zalo_links_dossier', table_name='zalo_links')
    op.drop_table('zalo_links')
    op.drop_index(op.f('ix_zalo_link_codes_dossier_code'), table_name='zalo_link_codes')
    op.drop_table('zalo_link_codes')
    op.drop_index('ix_zalo_inbox_pending', table_name='zalo_inbox')
    op.drop_table('zalo_inbox')
    op.drop_table('worker_leases')
    op.drop_table('notify_preferences')
    op.drop_index('ix_notify_outbox_status', table_name='notify_outbox')
    op.drop_index('ix_notify_outbox_dossier', table_name='notify_outbox')
    op.drop_table('notify_outbox')

"""dossiers.receiver: the receiving clerk, for an online submission the clerk who accepted it

The reducer (``desk_app.domain.lifecycle``, the one the server folds with) now names the
receiving clerk in its state: the intake's actor, or for an online submission the actor of its
acceptance (none before it: the citizen's submission is not a receipt). The desks credited an
accepted online submission to the server's 'citizen' account, the opening event's actor, on
the dialog, the receipt and the statistics by clerk; and the citizen page's rating named as its
clerk the actor of a 'received' event, which an online submission has none of, so its rating
named nobody. This revision adds the column and fills it as folding the events again would:
the actor of the last accepted 'received' or 'accepted_online' event (an accepted event is one
the reducer took). The downgrade drops it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

FILL = sa.text(
    "UPDATE dossiers SET receiver = (SELECT e.actor FROM events e WHERE e.dossier_code = dossiers.code "
    "AND e.kind IN ('received', 'accepted_online') AND e.accepted = :yes "
    "ORDER BY e.server_seq DESC LIMIT 1)").bindparams(yes=True)


def upgrade() -> None:
    with op.batch_alter_table('dossiers') as batch:
        batch.add_column(sa.Column('receiver', sa.String(length=100), nullable=True))
    op.execute(FILL)


def downgrade() -> None:
    with op.batch_alter_table('dossiers') as batch:
        batch.drop_column('receiver')

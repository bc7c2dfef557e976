"""dossiers.stage 'online_closed': an online submission refused or withdrawn before the counter accepted it

Such a submission was never received (domain.md: status 3 "Không được tiếp nhận"), yet the
reducer closed it like any refused dossier, in stage 'closed'; the desks' statistics counted it
received, and the citizen's page read it as a dossier received at its submission's time with
an appointment then. The reducer (``desk_app.domain.lifecycle``, the one the server folds
with) now closes it in a stage of its own, 'online_closed'. The server's states were folded by
the older reducer: this revision restages those it closed so (closed, opened by an accepted
'submitted_online' event, with no accepted 'accepted_online' one), as folding their events
again would: the citizen's page, the JSON status and the next event's fold read the stored
state. Nothing else of the row changes: the status (refused or withdrawn), its dates and its
verdict are the new reducer's already.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

RESTAGE = sa.text(
    "UPDATE dossiers SET stage = 'online_closed' WHERE stage = 'closed' "
    "AND EXISTS (SELECT 1 FROM events e WHERE e.dossier_code = dossiers.code AND e.kind = 'submitted_online' "
    "AND e.accepted = :yes) "
    "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.dossier_code = dossiers.code AND e.kind = 'accepted_online' "
    "AND e.accepted = :yes)").bindparams(yes=True)


def upgrade() -> None:
    op.execute(RESTAGE)


def downgrade() -> None:
    op.execute("UPDATE dossiers SET stage = 'closed' WHERE stage = 'online_closed'")

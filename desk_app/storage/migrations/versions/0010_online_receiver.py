"""an accepted online submission's receiving clerk is the clerk who accepted it, not the server's 'citizen'

A dossier's row names its receiving clerk (``clerk_id``): the dialog's "Cán bộ tiếp nhận", the
receipt's signature, the kiosk's rating and the statistics by clerk (``stats_days``' dim 'c')
read it. A desk set it from the opening event's actor, and an online submission's opening is
the citizen's, made on the server by its 'citizen' account: once a counter clerk accepted it,
the dossier still named 'citizen' as its receiving clerk, and every accepted online dossier was
credited to 'citizen' in the figures by clerk. The reducer now names the receiver in its state
(``lifecycle.DossierState.receiver``: the intake's actor, or the acceptance's), and the desk's
projection stores that clerk's account. This revision gives the dossiers already accepted the
clerk of their 'accepted_online' event (the first the server did not refuse), resolved to an
account as the projection resolves it (``projection.Units.account``: this desk's own user of
that name if the desk wrote events, else the disabled account ``actor@desk``, made if missing);
0009's triggers move their figures and their events' from the old key to the new one. The
downgrade gives them back their opening actor's account, as an older desk set it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 05:00:00
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# frozen here, as this revision writes them (the reducer's values at the time)
NOT_ACCEPTED = "('online', 'online_supplement', 'online_closed')"
REMOTE = "lower(substr(%(actor)s || '@' || %(desk)s, 1, 100))"   # projection.Units.account's name
OWN = "EXISTS (SELECT 1 FROM events x JOIN outbox o ON o.event_id = x.id WHERE x.desk = %s)"

# each accepted online dossier, with the actor and desk of the acceptance the reducer took
ACCEPTANCE = (
    "CREATE TEMP TABLE receiver_0010 AS SELECT d.id AS dossier_id, e.actor AS actor, e.desk AS desk, "
    + OWN % "e.desk" + " AS own FROM dossiers d JOIN events e ON e.id = ("
    "SELECT a.id FROM events a WHERE a.dossier_code = d.code AND a.kind = 'accepted_online' "
    "AND a.id NOT IN (SELECT event_id FROM sync_conflicts) "
    "ORDER BY a.server_seq IS NULL, a.server_seq, a.seq LIMIT 1) "
    "WHERE d.channel = 'online' AND d.stage NOT IN " + NOT_ACCEPTED)
LOCAL_ID = "(SELECT u.id FROM users u WHERE lower(u.username) = lower(r.actor))"
REMOTE_ID = "(SELECT u.id FROM users u WHERE lower(u.username) = %s)" % (REMOTE % {"actor": "r.actor", "desk": "r.desk"})
# the accounts of other desks' clerks this desk has not seen act yet
MAKE_ACCOUNTS = (
    "INSERT INTO users (username, full_name, role, password_hash, active, failed_logins, created_at) "
    "SELECT %s, min(r.actor), 'clerk', '!', 0, 0, strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', 'localtime') "
    "FROM receiver_0010 r WHERE NOT (r.own AND %s IS NOT NULL) AND %s IS NULL GROUP BY 1"
    % (REMOTE % {"actor": "r.actor", "desk": "r.desk"}, LOCAL_ID, REMOTE_ID))
SET_RECEIVER = (
    "UPDATE dossiers SET clerk_id = (SELECT coalesce(CASE WHEN r.own THEN %s END, %s) "
    "FROM receiver_0010 r WHERE r.dossier_id = dossiers.id) "
    "WHERE id IN (SELECT dossier_id FROM receiver_0010)" % (LOCAL_ID, REMOTE_ID))
# back to the opening actor's account, which the desk made when it pulled the submission
SET_OPENER = (
    "UPDATE dossiers SET clerk_id = coalesce((SELECT u.id FROM events e JOIN users u ON lower(u.username) = "
    + REMOTE % {"actor": "e.actor", "desk": "e.desk"}
    + " WHERE e.dossier_code = dossiers.code AND e.kind = 'submitted_online' LIMIT 1), clerk_id) "
    "WHERE channel = 'online' AND stage NOT IN " + NOT_ACCEPTED
    + " AND EXISTS (SELECT 1 FROM events e WHERE e.dossier_code = dossiers.code AND e.kind = 'accepted_online')")


def upgrade() -> None:
    op.execute(ACCEPTANCE)
    op.execute(MAKE_ACCOUNTS)
    op.execute(SET_RECEIVER)
    op.execute("DROP TABLE receiver_0010")


def downgrade() -> None:
    op.execute(SET_OPENER)

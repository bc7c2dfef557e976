"""The demo has something to show on the citizen's side: announcements for the kiosk and the
public pages, citizens' messages in the inbox (one answered), none of them waiting to be pushed."""

from __future__ import annotations

from sqlalchemy import select

from desk_app.domain.dossier import EventKind
from desk_app.services import announcements, auth, demo, messages
from desk_app.services.context import open_desk
from desk_app.storage import sync_repo
from desk_app.storage.models import EventRow, OutboxRow


def test_the_demo_has_announcements_and_messages(tmp_path):
    ctx = open_desk(tmp_path / "demo")
    demo.build(ctx, dossiers=60, receipts_for_today=0)
    try:
        clerk = auth.login(ctx, "tiepnhan", demo.DEMO_PASSWORD)
        boss = auth.login(ctx, "admin", demo.DEMO_PASSWORD)
        assert len(announcements.listed(ctx, boss)) == 3
        assert len(announcements.current(ctx)) == 2
        inbox = messages.inbox(ctx, clerk)
        assert len(inbox) >= 2 and messages.count_unanswered(ctx) == len(inbox)
        assert any(m.channel == "zalo" for m in inbox)
        with ctx.db.session(write=False) as s:
            citizens = s.scalars(select(EventRow).where(EventRow.kind == EventKind.CITIZEN_MESSAGE.value)).all()
            replies = s.scalars(select(EventRow).where(EventRow.kind == EventKind.COUNTER_REPLY.value)).all()
            assert citizens and all(e.desk.startswith("web:") and e.actor == "citizen" for e in citizens)
            # the server writes the citizens' messages: a desk never pushes them (it would be refused)
            queued = set(s.scalars(select(OutboxRow.event_id)))
            assert not queued & {e.id for e in citizens}
            assert {e.id for e in replies} <= queued and len(replies) == 1
            assert sync_repo.count_unsent(s) == len(queued)
    finally:
        ctx.db.dispose()

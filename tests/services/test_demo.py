"""The demo database: people, catalogue, and dossiers walked through the real services."""

from datetime import datetime

from desk_app.services import audit, auth, counter, demo, queues
from desk_app.services.context import open_desk


def test_demo_builds_a_believable_agency(tmp_path):
    ctx = open_desk(tmp_path / "demo", desk_id="demo-desk", clock=lambda: datetime(2026, 11, 27, 15, 40))
    demo.build(ctx, dossiers=90, receipts_for_today=1)
    lead = auth.login(ctx, "lanhdao", demo.DEMO_PASSWORD)
    assert auth.login(ctx, "tiepnhan", demo.DEMO_PASSWORD).role.value == "clerk"
    today = counter.today(ctx)
    assert len(today) >= 8
    statuses = {s.status.value for s in counter.search(ctx, "000.00.06.H56", limit=500)}
    assert {2, 4, 9, 10} <= statuses
    counts = queues.counts(ctx, lead)
    assert counts[queues.Queue.OPEN] > 0
    assert audit.verify(ctx).ok
    ctx.db.dispose()

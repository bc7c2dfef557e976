"""An online submission's receiving clerk is the counter clerk who accepted it, not the server's
'citizen' account that opened it: the row's clerk, the receipt and the statistics by clerk (the
roll-up and the rows agreeing) name the accepting clerk. The desk's migration 0010 gives an
already accepted dossier that clerk, the triggers moving its figures; its downgrade gives it back
the opening's account. Submissions are made by a citizen on a real server and pulled."""

from __future__ import annotations

import os
from datetime import timedelta

from desk_app.services import online, receipts, statistics
from desk_app.storage import repositories as repo
from tests.central_server.conftest import server_factory  # noqa: F401 (fixture)
from tests.services.test_statistics_online_refused import _built, _migrate, _submitted
from tests.services.test_statistics_rollup import online_office  # noqa: F401 (fixture)

SHOTS = os.environ.get("DESK_SCREENSHOTS")
CLERK = "Nguyễn Thị Thu Hương"   # tiepnhan, the counter's clerk


def _clerk(d, code) -> tuple[str, str]:
    with d.db.session(write=False) as s:
        row = repo.dossier_by_code(s, code)
        return row.clerk.username, row.clerk.full_name


def _by_clerk(d, clock, at) -> dict[str, int]:
    """Received in the week, by clerk's name: the roll-up's, which the rows' must equal."""
    clock.now = at + timedelta(days=10)
    args = (d, d.leader, at.date() - timedelta(days=3), at.date() + timedelta(days=3), statistics.GroupBy.CLERK)
    rolled, rows = statistics.compute(*args), statistics.compute_from_rows(*args)
    assert rolled == rows
    return {r.name: r.received for r in rolled.rows if r.received}


def test_the_accepting_clerk_receives_an_online_submission(online_office, clock):
    d = online_office
    code, at = _submitted(d, clock)
    assert _clerk(d, code)[1] == "citizen"   # waiting: no receiving clerk yet (the dialog shows none)
    online.accept(d, d.clerk_at_counter, code)
    assert _clerk(d, code) == ("tiepnhan", CLERK)
    assert _by_clerk(d, clock, at) == {CLERK: 1}
    clock.now = at + timedelta(hours=3)
    with d.db.session(write=False) as s:
        assert receipts.receipt_data(s, repo.dossier_by_code(s, code)).clerk_name == CLERK
    made = receipts.produce(d, d.clerk_at_counter, code)
    text = _pdf_text(made)
    assert CLERK in text and "citizen" not in text


def _pdf_text(path) -> str:
    import pypdfium2
    pdf = pypdfium2.PdfDocument(str(path))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    if SHOTS:   # the first page, to look at
        pdf[0].render(scale=2).to_pil().save(os.path.join(SHOTS, "receipt-online-accepted.png"))
    pdf.close()
    return text


def test_migration_0010_gives_an_accepted_submission_its_accepting_clerk(online_office, clock):
    d = online_office
    code, at = _submitted(d, clock)
    waiting, _ = _submitted(d, clock)   # not accepted: keeps its opening's account
    online.accept(d, d.clerk_at_counter, code)
    assert _by_clerk(d, clock, at) == {CLERK: 1}
    # as a desk at revision 0009 holds it: credited to the server's 'citizen'
    _migrate(d, "0009")
    assert _clerk(d, code)[1] == "citizen" and _clerk(d, waiting)[1] == "citizen"
    assert _by_clerk(d, clock, at) == {"citizen": 1}
    _built(d, "0009_online_closed.py")
    # upgraded: the accepting clerk's, the triggers moved the figures
    _migrate(d, "head")
    assert _clerk(d, code) == ("tiepnhan", CLERK) and _clerk(d, waiting)[1] == "citizen"
    assert _by_clerk(d, clock, at) == {CLERK: 1}
    _built(d, "0009_online_closed.py")
    _migrate(d, "0009")
    assert _by_clerk(d, clock, at) == {"citizen": 1}
    _migrate(d, "head")
    assert _by_clerk(d, clock, at) == {CLERK: 1}

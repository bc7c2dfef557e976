"""Which dossiers changed on this desk's database, as soon as the change is committed.

A service's step, an intake, a sync's pull: whatever commits an event or a dossier's row
tells the listeners given here, once per transaction (a sync's pull, once for all its pages),
with the codes it touched. Listeners run on the committing thread (the database worker, the
sync thread): a screen hands the news to its own thread (``desk_app.ui.live``).
"""

from __future__ import annotations

from typing import Callable

from ..storage import repositories
from .context import DeskContext


def listen(ctx: DeskContext, listener: Callable[[frozenset[str]], None]) -> Callable[[], None]:
    """``listener(codes)`` after each commit to ``ctx``'s database that touched dossiers;
    returns the function that stops listening."""
    database = str(ctx.db.path)

    def heard(changed_database: str, codes: frozenset[str]) -> None:
        if changed_database == database:
            listener(codes)
    return repositories.listen_changes(heard)


gathered = repositories.gathering_changes

"""What the sync panel shows, as plain data (no Qt, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Progress:
    phase: str      # what is being done, in Vietnamese ("Đang nhận sự kiện")
    done: int
    total: int      # 0 when unknown


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str = ""
    desk_id: str = ""
    reachable: bool | None = None          # None: not tried yet
    waiting_events: int = 0                # in the outbox, not yet accepted by the server
    waiting_uploads: int = 0               # attachments not yet on the server
    waiting_downloads: int = 0             # attachments others sent that have not arrived here
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_error: str | None = None          # plain Vietnamese, for the clerk
    conflicts: int = 0                     # not yet acknowledged
    unseen: int = 0                        # dossiers received from others, not yet opened
    running: bool = False
    progress: Progress | None = None

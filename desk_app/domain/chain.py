"""The hash chain of a desk's events, written once for the desk and the server.

Each event a desk writes carries the SHA-256 of the previous one's hash and its own fields,
canonically encoded; the server recomputes it to tell whether a desk's chain holds. Pure:
no storage, no HTTP.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of a desk's first event


def event_hash(prev_hash: str, id: str, dossier_code: str, kind: Any, payload: Any, actor: str,
               desk: str, desk_time: datetime, unit: str | None) -> str:
    """SHA-256 over the previous hash and the event's fields (``kind`` as its value)."""
    kind = getattr(kind, "value", kind)
    body = json.dumps([prev_hash, id, dossier_code, kind, payload, actor, desk, desk_time.isoformat(), unit],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def hash_of(prev_hash: str, e: Any) -> str:
    """``event_hash`` of anything with the event's attributes (a stored row, a wire event)."""
    return event_hash(prev_hash, e.id, e.dossier_code, e.kind, e.payload, e.actor, e.desk, e.desk_time, e.unit)

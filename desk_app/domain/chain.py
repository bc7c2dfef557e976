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


_ITEM = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode
_STR = json.encoder.encode_basestring   # what _ITEM writes for a str (JSONEncoder.encode's own branch)


def _item(value: Any) -> str:
    """``_ITEM(value)``; a plain str straight to the encoder's own function (an event has eight
    of them: half the hash's time went to ``encode``'s dispatch)."""
    return _STR(value) if type(value) is str else _ITEM(value)


def payload_text(payload: Any) -> str:
    """The payload as the hash encodes it (canonical: sorted keys, no blanks, UTF-8 kept), which
    is also a faithful JSON text of it to store: whoever needs both encodes it once."""
    return _ITEM(payload)


def event_hash(prev_hash: str, id: str, dossier_code: str, kind: Any, payload: Any, actor: str,
               desk: str, desk_time: datetime, unit: str | None, payload_json: str | None = None) -> str:
    """SHA-256 over the previous hash and the event's fields (``kind`` as its value): the
    canonical JSON of the list of them. ``payload_json``, if given, is ``payload_text(payload)``.

    The list's text is its items' texts joined by commas in brackets, exactly what ``json.dumps``
    of the list with the same options writes (a test holds the two equal), so the payload's
    text can be made once."""
    kind = getattr(kind, "value", kind)
    if payload_json is None:
        payload_json = _ITEM(payload)
    body = "[%s,%s,%s,%s,%s,%s,%s,%s,%s]" % (
        _item(prev_hash), _item(id), _item(dossier_code), _item(kind), payload_json, _item(actor), _item(desk),
        _STR(desk_time.isoformat()), _item(unit))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def hash_of(prev_hash: str, e: Any, payload_json: str | None = None) -> str:
    """``event_hash`` of anything with the event's attributes (a stored row, a wire event)."""
    return event_hash(prev_hash, e.id, e.dossier_code, e.kind, e.payload, e.actor, e.desk, e.desk_time, e.unit,
                      payload_json)

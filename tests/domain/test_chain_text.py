"""The hash chain's text: built from its items' texts (the payload's made once, also stored),
it must stay byte for byte the canonical JSON of the list, or every desk's chain would break."""

import hashlib
import json
from datetime import datetime

from hypothesis import given, settings, strategies as st

from desk_app.domain import chain

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 63, 2 ** 63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


def reference(prev_hash, id, code, kind, payload, actor, desk, t, unit) -> str:
    """The chain's definition as the desks first wrote it: one ``json.dumps`` of the list."""
    body = json.dumps([prev_hash, id, code, kind, payload, actor, desk, t.isoformat(), unit],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@settings(max_examples=300, deadline=None)
@given(prev=st.text(max_size=70), id=st.text(max_size=40), code=st.text(max_size=30), kind=st.text(max_size=20),
       payload=st.dictionaries(st.text(max_size=10), json_values, max_size=6), actor=st.text(max_size=20),
       desk=st.text(max_size=20), t=st.datetimes(), unit=st.none() | st.text(max_size=10))
def test_the_hash_is_the_canonical_json_of_the_list(prev, id, code, kind, payload, actor, desk, t, unit):
    expected = reference(prev, id, code, kind, payload, actor, desk, t, unit)
    assert chain.event_hash(prev, id, code, kind, payload, actor, desk, t, unit) == expected
    text = chain.payload_text(payload)
    assert json.loads(text) == payload          # the stored text reads back as the payload
    assert chain.event_hash(prev, id, code, kind, payload, actor, desk, t, unit, text) == expected


def test_a_known_event_keeps_its_hash():
    """One event's hash written down: a change of encoding shows even if both sides moved."""
    t = datetime(2026, 11, 2, 8, 30)
    h = chain.event_hash(chain.GENESIS, "a1b2", "000.00.00.H01-261102-0001", "received",
                         {"applicant": {"name": "Nguyễn Thị Ánh"}, "fee": 0}, "cb-01", "quay-1", t, None)
    assert h == reference(chain.GENESIS, "a1b2", "000.00.00.H01-261102-0001", "received",
                          {"applicant": {"name": "Nguyễn Thị Ánh"}, "fee": 0}, "cb-01", "quay-1", t, None)
    assert h == "702cb046fbd60f31144ef7454800aae5d29f098e1dd24d90cfb2f94e829023a3"

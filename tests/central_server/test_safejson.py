"""The strict body parser's prefilter (``safejson._suspect``) may only save the walk through
the values when the walk would find nothing: whatever the JSON and however it is laid out,
``strict_loads`` refuses exactly what ``check`` refuses."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central_server import safejson

texts = st.one_of(st.text(max_size=30), st.sampled_from(["\x00", "\ud800", "a\udfffb", "1234567890123456789012",
                                                          " -99999999999999999999", "NaN", "[[[[[[[[["]))
numbers = st.one_of(st.integers(min_value=-2 ** 70, max_value=2 ** 70), st.sampled_from([2 ** 63 - 1, 2 ** 63,
                                                                                         -2 ** 63, -2 ** 63 - 1]),
                    st.floats(allow_nan=False, allow_infinity=False))
values = st.recursive(st.one_of(st.none(), st.booleans(), numbers, texts),
                      lambda inner: st.one_of(st.lists(inner, max_size=4),
                                              st.dictionaries(texts, inner, max_size=4)), max_leaves=40)
deep = st.integers(1, 40).map(lambda n: json.loads("[" * n + "]" * n))
layouts = st.sampled_from([dict(), dict(ensure_ascii=False), dict(separators=(",", ":")), dict(indent=1),
                           dict(indent="\t", ensure_ascii=False), dict(separators=(" ,  ", " :\n"))])


def _walk_refuses(value) -> bool:
    try:
        safejson.check(value)
    except safejson.HostileValue:
        return True
    return False


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(values, deep), layout=layouts)
def test_the_strict_parser_refuses_exactly_what_the_walk_refuses(value, layout):
    text = json.dumps(value, **layout)
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate written as itself: not UTF-8, refused as such
        with pytest.raises(safejson.HostileValue):
            safejson.strict_loads(text.encode("utf-8", "surrogatepass"))
        return
    refused = _walk_refuses(value)
    for body in (raw, text):
        if refused:
            with pytest.raises(safejson.HostileValue):
                safejson.strict_loads(body)
        else:
            assert safejson.strict_loads(body) == value or value != value


@pytest.mark.parametrize("body", [b"12345678901234567890", b"-12345678901234567890", b" \n 12345678901234567890",
                                  b'{"a":\t[ -12345678901234567890 ]}', b"[" * 40 + b"]" * 40,
                                  b'["\\u0000"]', b'{"\\ud800": 1}', b'["x", 99999999999999999999]'])
def test_each_shape_the_prefilter_looks_for_is_refused(body):
    with pytest.raises(safejson.HostileValue):
        safejson.strict_loads(body)


payload_values = st.recursive(st.one_of(st.none(), st.booleans(), numbers, texts, st.sampled_from(
    [float("nan"), float("inf"), -float("inf"), "\U0001F600"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)), max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(value=payload_values)
def test_the_quick_payload_check_refuses_exactly_what_the_walk_refuses(value):
    if _walk_refuses(value):
        with pytest.raises(safejson.HostileValue):
            safejson.check_quick(value)
    else:
        safejson.check_quick(value)


@pytest.mark.parametrize("body", [b'{"a": 1e400}', b'[-1E999]', b'{"x": [0.5, 2e308]}'])
def test_a_float_beyond_a_double_is_refused_not_read_as_infinity(body):
    with pytest.raises(safejson.HostileValue):
        safejson.strict_loads(body)
    assert safejson.strict_loads(b'{"a": 1.5e300}') == {"a": 1.5e300}


@pytest.mark.parametrize("encode", [lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), lambda t: t.encode("utf-16"),
                                    lambda t: t.encode("utf-16-le"), lambda t: t.encode("utf-32")])
def test_a_body_json_loads_reads_but_the_strict_reading_does_not_is_refused(tmp_path, encode):
    """A BOM or UTF-16/32: Python's json.loads reads them (and NaN in them), the strict reading
    does not; a route must then refuse the body, not validate json.loads's reading of it."""
    import uuid as _uuid

    from fastapi.testclient import TestClient
    from central_server.app import create_app
    from central_server.settings import Settings
    from tests.central_server import kit
    app = create_app(Settings(database_url="sqlite:///%s" % (tmp_path / "s.sqlite3"), data_dir=tmp_path,
                              admin_token=kit.ADMIN_TOKEN))
    client = TestClient(app)
    agency = kit.new_agency()
    token = kit.enrol_in_app(client, agency, "q-" + agency)
    e = '{"events": [{"id": "%s", "dossier_code": "%s-261201-0001", "kind": "note", "payload": {"x": NaN},' \
        ' "actor": "a", "desk": "q-%s", "desk_time": "2026-12-01T08:00:00", "unit": null, "prev_hash": "%s",' \
        ' "hash": "%s"}]}' % (_uuid.uuid4(), agency, agency, "0" * 64, "0" * 64)
    r = client.post("/api/v1/events", content=encode(e), headers={"Authorization": "Bearer " + token,
                                                                    "content-type": "application/json"})
    assert r.status_code == 400, r.text
    code = client.post("/api/v1/admin/enrolment-codes", headers={"Authorization": "Bearer " + kit.ADMIN_TOKEN},
                       json={"desk_name": "q2", "agency_code": agency, "units": ["MOTCUA"]}).json()["code"]
    r = client.post("/api/v1/enrol", content=encode('{"code": "%s", "desk_id": "q2-%s", "desk_name": "\\u0000"}'
                                                    % (code, agency)), headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text

"""The reducer reads a payload's fields through converters worked out once a type hint
(``lifecycle._converter``). They must read every value exactly as the field-by-field reading
they replaced (kept here as the reference): the same value, or the same refusal in the same
words, for every payload kind, on values of every JSON shape, hostile texts included."""

import dataclasses
import math
import types
import typing
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from desk_app.domain import lifecycle
from desk_app.domain.dossier import EventKind
from desk_app.domain.i18n import tr
from desk_app.domain.lifecycle import MAX_INT, MAX_LIST, MAX_TEXT, PayloadError, _bad, check_json, check_text, check_time


def reference_convert(value: Any, hint: Any, name: str) -> Any:
    if hint is str and type(value) is str:  # the common case first
        return check_text(value, name)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return reference_convert(value, inner[0], name)
    if hint is Any:
        return check_json(value, name)
    if hint is str:
        if not isinstance(value, str):
            raise _bad(name, tr("phải là chuỗi"))
        return check_text(value, name)
    if hint is bool:
        if not isinstance(value, bool):
            raise _bad(name, tr("phải là đúng/sai"))
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and math.isfinite(value) and value.is_integer():
                value = int(value)
            else:
                raise _bad(name, tr("phải là số nguyên"))
        if abs(value) > MAX_INT:
            raise _bad(name, tr("số quá lớn"))
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _bad(name, tr("phải là số"))
        if not math.isfinite(value) or abs(value) > MAX_INT:
            raise _bad(name, tr("số không hữu hạn"))
        return float(value)
    if hint is datetime:
        if isinstance(value, datetime):
            return check_time(value, name)
        if not isinstance(value, str) or len(value) > 40:
            raise _bad(name, tr("phải là thời gian ISO 8601"))
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            raise _bad(name, tr("phải là thời gian ISO 8601")) from None
        return check_time(t, name)
    if origin is list:
        if not isinstance(value, list):
            raise _bad(name, tr("phải là danh sách"))
        if len(value) > MAX_LIST:
            raise _bad(name, tr("quá nhiều phần tử"))
        (item,) = typing.get_args(hint) or (Any,)
        return [reference_convert(v, item, name) for v in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise _bad(name, tr("phải là đối tượng"))
        return check_json(value, name)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise _bad(name, tr("phải là đối tượng"))
        return reference_from_dict(hint, value, name + ".")
    raise _bad(name, tr("kiểu dữ liệu không hỗ trợ"))


def reference_check_text(value: str, name: str = "") -> str:
    """A text from outside: no NUL, no lone surrogate, bounded."""
    if len(value) > MAX_TEXT:
        raise _bad(name, tr("quá dài"))
    if "\x00" in value:
        raise _bad(name, tr("có ký tự NUL"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _bad(name, tr("có ký tự Unicode không hợp lệ")) from None
    return value


def reference_check_json(value: Any, name: str = "", depth: int = 0) -> Any:
    """Any JSON value from outside: finite numbers, clean texts, bounded size and depth."""
    if depth > 8:
        raise _bad(name, tr("lồng quá sâu"))
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise _bad(name, tr("số quá lớn"))
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_INT:
            raise _bad(name, tr("số không hữu hạn"))
        return value
    if isinstance(value, str):
        return reference_check_text(value, name)
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_LIST:
            raise _bad(name, tr("quá nhiều phần tử"))
        return [reference_check_json(v, name, depth + 1) for v in value]
    if isinstance(value, dict):
        if len(value) > MAX_LIST:
            raise _bad(name, tr("quá nhiều phần tử"))
        for k, v in value.items():
            if not isinstance(k, str):
                raise _bad(name, tr("khóa không phải chuỗi"))
            reference_check_text(k, name)
            reference_check_json(v, name + "." + k if name else k, depth + 1)
        return value
    raise _bad(name, tr("kiểu dữ liệu không hỗ trợ"))


def reference_from_dict(cls, data: dict, prefix: str = ""):
    kwargs = {}
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise PayloadError(tr("Thiếu trường \"{field}\".").format(field=prefix + f.name))
            continue
        kwargs[f.name] = reference_convert(data[f.name], hints[f.name], prefix + f.name if prefix else f.name)
    return cls(**kwargs)


def outcome(read, *args):
    try:
        return ("value", read(*args))
    except PayloadError as e:
        return ("refused", str(e))


scalars = (st.none() | st.booleans() | st.integers(-2 ** 60, 2 ** 60) | st.floats() | st.text(max_size=12)
           | st.sampled_from(["2026-12-02T08:30:00", "2026-12-02T08:30:00+07:00", "1800-01-01T00:00:00", "x\x00",
                              "\ud800", "0" * 64, "3.0"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)


@st.composite
def payloads(draw, cls, depth=0):
    """A payload of ``cls``'s fields (some left out), each a value of its own type or of any other."""
    out = {}
    for f in dataclasses.fields(cls):
        if draw(st.integers(0, 9)) == 0:
            continue
        hint = typing.get_type_hints(cls)[f.name]
        inner = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
        if dataclasses.is_dataclass(inner[0]) and depth < 2 and draw(st.booleans()):
            out[f.name] = draw(payloads(inner[0], depth + 1))
        else:
            out[f.name] = draw(values)
    return out


deep = st.recursive(scalars | st.sampled_from([2 ** 53 + 1, float("nan"), -float("inf"), "a\ud800b", "é\x00"]),
                    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
                    | st.dictionaries(st.text(max_size=4) | st.sampled_from(["\udfff", "k\x00"]), inner, max_size=3),
                    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(value=deep)
def test_json_and_text_checks_read_as_the_reference_does(value):
    assert outcome(check_json, value, "f") == outcome(reference_check_json, value, "f")
    if isinstance(value, str):
        assert outcome(check_text, value, "f") == outcome(reference_check_text, value, "f")


@pytest.mark.parametrize("kind", list(lifecycle.PAYLOADS), ids=lambda k: k.value)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_kind_reads_as_the_reference_does(kind, data):
    cls = lifecycle.PAYLOADS[kind]
    payload = data.draw(payloads(cls))
    assert outcome(lifecycle._from_dict, cls, payload) == outcome(reference_from_dict, cls, payload)


@pytest.mark.parametrize("hint", [str, str | None, int, int | None, int | str, str | int, float, bool, datetime, datetime | None,
                                  Any, list[str], list[Any], dict[str, Any], dict[str, Any] | None,
                                  lifecycle.ProcedureRef, typing.Optional[lifecycle.ProcedureRef], bytes])
@settings(max_examples=80, deadline=None)
@given(value=values)
def test_every_hint_reads_as_the_reference_does(hint, value):
    # (int | str and str | int are equal to typing, and read as their first type: two converters)
    assert outcome(lifecycle._convert, value, hint, "f") == outcome(reference_convert, value, hint, "f")


def test_the_words_of_a_refusal_name_the_field():
    base = {"procedure": {"code": "1.0001", "name": "Đăng ký khai sinh"}, "received_at": "2026-12-02T08:00:00",
            "due_at": "2026-12-05T08:00:00"}
    assert lifecycle.parse_payload(EventKind.RECEIVED, base).procedure.name == "Đăng ký khai sinh"
    with pytest.raises(PayloadError, match='"sets" không hợp lệ: phải là số nguyên'):
        lifecycle.parse_payload(EventKind.RECEIVED, {**base, "sets": "hai"})
    with pytest.raises(PayloadError, match='"procedure.version" không hợp lệ: phải là số nguyên'):
        lifecycle.parse_payload(EventKind.RECEIVED, {**base, "procedure": {"code": "1", "version": True}})
    with pytest.raises(PayloadError, match='"notes" không hợp lệ: có ký tự NUL'):
        lifecycle.parse_payload(EventKind.RECEIVED, {**base, "notes": "a\x00b"})
    with pytest.raises(PayloadError, match='Thiếu trường "procedure.code"'):
        lifecycle.parse_payload(EventKind.RECEIVED, {**base, "procedure": {"name": "x"}})

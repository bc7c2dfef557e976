"""JSON in and out without surprises: strict on the way in, robust on the way out.

In: every JSON body is parsed strictly before the routes see it. ``NaN``/``Infinity``
(which Python's ``json`` accepts), lone surrogates, NUL characters, integers beyond 64 bits,
invalid UTF-8 and nesting deeper than ``MAX_DEPTH`` get a 400 with a Vietnamese message;
none of them can reach the database, where they would break every later pull (SQLite) or
fail the insert with the payload in the error (PostgreSQL).

Out: ``jsonable`` turns whatever is already stored into something JSON can carry (a
non-finite number becomes null, a lone surrogate or NUL the replacement character), so no
stored value can make a pull page fail.
"""

from __future__ import annotations

import json
import math
import re
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import JSONResponse

from desk_app.domain.i18n import tr

MAX_DEPTH = 32
INT64 = 2 ** 63
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_TIME_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# what calls for the full walk (``check``; ``_suspect`` looks for it, or more, faster): an
# escaped NUL or surrogate, a number of 19 digits or more (where JSON puts a number: after
# "[", ":", "," or blank space, perhaps signed; a run of digits inside a string, as in every
# event's SHA-256 hex, is text and harmless), or nine openers in a row (the depth check; an
# object's keys between openers are caught by the depth guards of whatever walks the value
# later)
_SUSPECT = re.compile(r"\\u0000|\\u[dD][89a-fA-F]|(?:^|[\[:,\s])-?[0-9]{19}|[\[{](?:\s*[\[{]){8}")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099  # an event's own time: the dossier code's two-digit year
PAYLOAD_YEARS = (1800, 2200)              # times a payload carries (birth dates, due dates...)


class HostileValue(ValueError):
    """A value the server does not take; ``message`` is Vietnamese, for the desk's log."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Malformed(HostileValue):
    """Not JSON at all (the route's own parser answers it: 400 ``malformed_json``)."""


def _no_constant(name: str):
    raise HostileValue(tr("JSON không được chứa NaN hoặc Infinity (giá trị {value}).").format(value=name))


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):   # 1e400: json.loads makes it Infinity, which no desk sends either
        _no_constant(text[:40])
    return value


def strict_loads(body: bytes | str) -> Any:
    """``json.loads`` that refuses what a desk never sends (see the module's docstring)."""
    raw = None
    if isinstance(body, bytes):
        raw = body
        try:  # strict: invalid UTF-8 and encoded surrogates fail here (json.loads would let them in)
            body = body.decode("utf-8")
        except UnicodeError:
            raise HostileValue(tr("Nội dung gửi lên không phải văn bản UTF-8 hợp lệ.")) from None
    try:
        value = json.loads(body, parse_constant=_no_constant, parse_float=_finite_float)
    except HostileValue:
        raise
    except RecursionError:
        raise HostileValue(tr("Nội dung JSON lồng nhau quá sâu.")) from None
    except (ValueError, UnicodeError):
        raise Malformed(tr("Nội dung gửi lên không phải JSON hợp lệ.")) from None
    if _suspect(raw if raw is not None else body.encode("utf-8", "surrogatepass"), body):
        # Only then the walk through every value: in strictly decoded UTF-8 JSON, a NUL or a
        # surrogate can only arrive escaped, a 64-bit overflow needs 19 digits, and deep
        # nesting shows as openers in a row; a desk's ordinary batch has none of these.
        check(value)
    return value


# ``_SUSPECT``'s numbers and nesting, at the speed of bytes.translate and a substring search
# (the regular expression took 66 ms over a batch of 500 intakes, 130 us an event): JSON
# whitespace dropped, every digit read as 0, the characters a number may follow ('[', ':',
# ',') as 'd', openers as 'o' ('[' is both: an opener may be followed by a number), a sign
# kept, anything else 'x'. A number of 19 digits or more where JSON puts one then shows as
# "d" or "o" (perhaps with "-") before 19 zeros, or at the very start; nine openers in a
# row as nine o's.
_SHAPES = bytearray(b"x" * 256)
for _c in b"0123456789":
    _SHAPES[_c] = ord("0")
_SHAPES[ord(":")] = _SHAPES[ord(",")] = ord("d")
_SHAPES[ord("[")] = _SHAPES[ord("{")] = ord("o")
_SHAPES[ord("-")] = ord("-")
_SHAPES = bytes(_SHAPES)
_WHITESPACE = b" \t\n\r"
_LONG = b"0" * 19
_ESCAPE = re.compile(r"\\u0000|\\u[dD][89a-fA-F]")


def _suspect(raw: bytes, text: str) -> bool:
    """``_SUSPECT.search(text) is not None``, or more (a false alarm costs only the walk): the
    escaped NUL or surrogate by a regular expression with a literal start, the rest on the
    body's shape (see ``_SHAPES``)."""
    if _ESCAPE.search(text) is not None:
        return True
    shape = raw.translate(_SHAPES, _WHITESPACE)
    return (b"o" * 9 in shape or b"d" + _LONG in shape or b"o" + _LONG in shape or b"d-" + _LONG in shape
            or b"o-" + _LONG in shape or shape.startswith(_LONG) or shape.startswith(b"-" + _LONG))


def check(value: Any, depth: int = 0) -> None:
    """Raise ``HostileValue`` for a non-finite number, an integer beyond 64 bits, a NUL or a lone
    surrogate in any string (keys included), or nesting deeper than ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        raise HostileValue(tr("Nội dung JSON lồng nhau quá sâu."))
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -INT64 <= value < INT64:
            raise HostileValue(tr("Số nguyên quá lớn (tối đa 64 bit)."))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise HostileValue(tr("JSON không được chứa NaN hoặc Infinity (giá trị {value}).").format(value=value))
    elif isinstance(value, dict):
        for k, v in value.items():
            check_text(str(k))
            check(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            check(v, depth + 1)


# Set while a ``StrictJsonRoute`` handles a request whose JSON body ``StrictJsonBodies`` read
# with ``strict_loads`` (the body's value in the scope under ``STRICT_BODY``): ``body_checked``.
_BODY_CHECKED: ContextVar[bool] = ContextVar("strict_json_body", default=False)
STRICT_BODY = "central_server.strict_json"


def body_checked() -> bool:
    """Whether a ``StrictJsonRoute`` is handling a request whose JSON body ``strict_loads`` read
    whole: a value of that body (what the route's model validates) needs no second look for what
    ``strict_loads`` refuses (``check_quick``). A model such a route validates from anything else
    (nothing does today) must not rely on it."""
    return _BODY_CHECKED.get()


def check_quick(value: Any) -> None:
    """``check``, with the walk only when the value's JSON text shows something that calls for
    it (one C-speed encoding and one regular expression instead of a call per value). Depth is
    not looked at here: ``check_times_in`` walks every value with its own depth guard."""
    try:  # ASCII: a NUL or a lone surrogate comes out escaped, a non-finite number as NaN or Infinity
        text = json.dumps(value, check_circular=False)
    except (TypeError, ValueError, RecursionError):
        return check(value)
    raw = text.encode("ascii")
    if b"NaN" in raw or b"Infinity" in raw or _suspect(raw, text):
        check(value)


def check_text(text: str) -> str:
    if _BAD_TEXT.search(text):
        raise HostileValue(tr("Chuỗi ký tự không được chứa ký tự NUL hoặc ký tự Unicode lẻ (surrogate)."))
    return text


def check_time(t: datetime, first: int = EARLIEST_YEAR, last: int = LATEST_YEAR) -> datetime:
    """A time a desk can have written: naive Vietnam wall time, in the dossier codes' years
    (or between ``first`` and ``last``)."""
    if t.tzinfo is not None:
        raise HostileValue(tr("Thời điểm phải là giờ Việt Nam không kèm múi giờ (YYYY-MM-DDTHH:MM:SS)."))
    if not first <= t.year <= last:
        raise HostileValue(tr("Thời điểm phải nằm trong các năm {first}-{last}.").format(first=first, last=last))
    return t


def check_times_in(value: Any, depth: int = 0) -> None:
    """Every string in ``value`` that reads as an ISO date or time must be naive and within
    ``PAYLOAD_YEARS`` (year 1 or 9999 would overflow the date arithmetic of whoever reads it)."""
    if depth > MAX_DEPTH:
        raise HostileValue(tr("Nội dung JSON lồng nhau quá sâu."))
    if isinstance(value, str):
        if _TIME_LIKE.match(value):
            try:
                t = datetime.fromisoformat(value)
            except ValueError:
                return  # not a time, only text that starts like one
            check_time(t, *PAYLOAD_YEARS)
    elif isinstance(value, dict):
        for v in value.values():
            check_times_in(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            check_times_in(v, depth + 1)


def jsonable(value: Any, depth: int = 0) -> Any:
    """``value`` with whatever JSON cannot carry replaced: non-finite numbers by None, NUL and
    lone surrogates by U+FFFD, times by their ISO text, anything else unknown by its text."""
    if isinstance(value, str):
        return _BAD_TEXT.sub("\ufffd", value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -INT64 <= value < INT64 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth > MAX_DEPTH * 2:
        return None
    if isinstance(value, dict):
        return {jsonable(str(k)): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, depth + 1) for v in value]
    if isinstance(value, (datetime, date)):
        try:
            return value.isoformat()
        except (ValueError, OverflowError):
            return None
    return jsonable(str(value), depth + 1)


class SafeJSONResponse(JSONResponse):
    """A JSON answer that cannot fail on what it carries: strict first (the usual case, as
    fast as ``JSONResponse``), cleaned with ``jsonable`` if that fails."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except (ValueError, TypeError, UnicodeError, OverflowError, RecursionError):
            return super().render(jsonable(content))


def _is_json(headers) -> bool:
    for name, value in headers:
        if name == b"content-type":
            v = value.decode("latin-1").split(";", 1)[0].strip().lower()
            return v == "application/json" or v.endswith("+json") or v == ""
    return True  # FastAPI reads a body without a content type as JSON


class StrictJsonBodies:
    """ASGI middleware: a JSON request body is read (the size limit in front has bounded it),
    parsed with ``strict_loads``, and refused with 400 if hostile; then handed on unchanged.
    Attachments (raw bytes) pass through untouched."""

    def __init__(self, app, skip_prefixes: tuple[str, ...] = ("/api/v1/attachments/",)):
        self.app = app
        self.skip = skip_prefixes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS") \
                or scope.get("path", "").startswith(self.skip) or not _is_json(scope.get("headers", ())):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body.strip():
            try:
                scope[STRICT_BODY] = (strict_loads(body),)  # the route reads it (StrictJsonRoute)
            except Malformed:
                pass  # FastAPI says so in its own words (400 malformed_json)
            except HostileValue as e:
                from .limits import _reply
                return await _reply(send, 400, "hostile_value", e.message)
        done = False

        async def replay():
            nonlocal done
            if not done:
                done = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()
        await self.app(scope, replay, send)


class _StrictRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            parsed = self.scope.get(STRICT_BODY)
            # a body the middleware could not read strictly (a BOM, UTF-16: json.loads would
            # read them) is read strictly here, and refused (FastAPI answers 400)
            if parsed is not None:
                self._json = parsed[0]
            else:
                body = await self.body()
                try:
                    self._json = strict_loads(body)
                except HostileValue as e:   # FastAPI's own answer to a body that is not JSON
                    raise json.JSONDecodeError(e.message, body.decode("latin-1")[:200], 0) from None
        return self._json


class StrictJsonRoute(APIRoute):
    """A route whose JSON body is the value ``StrictJsonBodies`` already read: one parse a
    request instead of two (a batch of 500 events took 3-6 ms more to read twice), and the
    route validates exactly what the strict reading saw."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def strict_handler(request: Request):
            strict = _StrictRequest(request.scope, request.receive, request._send)
            if STRICT_BODY not in request.scope:
                return await handler(strict)
            checked = _BODY_CHECKED.set(True)   # while this route validates and runs (body_checked)
            try:
                return await handler(strict)
            finally:
                _BODY_CHECKED.reset(checked)
        return strict_handler

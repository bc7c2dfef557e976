"""Every refusal is a 4xx with a JSON body ``{"error": code, "message": Vietnamese text, ...}``."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from desk_app.domain.i18n import N_, tr


log = logging.getLogger("central_server")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.headers, self.extra = status, code, message, headers, extra


def body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


# Pydantic's error types, said in Vietnamese.
_PYDANTIC = {
    "missing": N_("thiếu trường bắt buộc"),
    "extra_forbidden": N_("trường không được phép"),
    "string_type": N_("phải là chuỗi ký tự"),
    "string_too_long": N_("quá dài"),
    "string_too_short": N_("quá ngắn"),
    "string_pattern_mismatch": N_("không đúng định dạng"),
    "int_type": N_("phải là số nguyên"),
    "int_parsing": N_("phải là số nguyên"),
    "greater_than_equal": N_("quá nhỏ"),
    "less_than_equal": N_("quá lớn"),
    "dict_type": N_("phải là một đối tượng JSON"),
    "list_type": N_("phải là một danh sách"),
    "enum": N_("không thuộc các giá trị cho phép"),
    "datetime_type": N_("phải là thời điểm dạng ISO (YYYY-MM-DDTHH:MM:SS)"),
    "datetime_parsing": N_("phải là thời điểm dạng ISO (YYYY-MM-DDTHH:MM:SS)"),
    "datetime_from_date_parsing": N_("phải là thời điểm dạng ISO (YYYY-MM-DDTHH:MM:SS)"),
    "date_from_datetime_parsing": N_("phải là ngày dạng YYYY-MM-DD"),
    "date_parsing": N_("phải là ngày dạng YYYY-MM-DD"),
    "too_long": N_("có quá nhiều phần tử"),
    "too_short": N_("có quá ít phần tử"),
    "value_error": N_("không hợp lệ"),
    "uuid_parsing": N_("phải là UUID"),
    "model_attributes_type": N_("phải là một đối tượng JSON"),
}


def _message(error: dict) -> str:
    """Pydantic's error in Vietnamese; a refused value (``safejson.HostileValue``) says why."""
    cause = (error.get("ctx") or {}).get("error")
    if cause is not None and hasattr(cause, "message"):
        return str(cause.message)
    return tr(_PYDANTIC.get(error.get("type", ""), "không hợp lệ"))


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or tr("nội dung")


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError):
        return JSONResponse(body(exc.code, exc.message, **exc.extra), status_code=exc.status,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(body("malformed_json", tr("Nội dung gửi lên không phải JSON hợp lệ.")),
                                status_code=400)
        details = [{"field": _field(tuple(e.get("loc", ()))), "message": _message(e)} for e in errors[:20]]
        text = "; ".join("%s: %s" % (d["field"], d["message"]) for d in details[:5])
        return JSONResponse(body("invalid_request", tr("Yêu cầu không hợp lệ: {details}.").format(details=text),
                                 details=details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        messages = {400: ("bad_request", tr("Không đọc được nội dung yêu cầu.")),
                    404: ("not_found", tr("Không tìm thấy địa chỉ này.")),
                    405: ("method_not_allowed", tr("Phương thức không được hỗ trợ cho địa chỉ này.")),
                    413: ("too_large", tr("Nội dung gửi lên quá lớn.")),
                    401: ("unauthorized", tr("Chưa xác thực."))}
        code, message = messages.get(exc.status_code, ("error", str(exc.detail)))
        if isinstance(exc.detail, str) and exc.status_code not in messages:
            message = exc.detail
        return JSONResponse(body(code, message), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))


class ErrorShield:
    """ASGI middleware, the outermost: an unexpected error becomes a JSON 500 in Vietnamese, and
    is logged by its type and the lines of code it passed through, never by its text. A
    database error's text can hold an event's payload (PostgreSQL repeats the failing row),
    that is a citizen's name, ID number and phone: neither the log nor the answer carries it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracked(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)
        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # noqa: BLE001 - the last fence: answered and logged without its text
            log.error("Lỗi không mong đợi khi xử lý %s %s: %s\n%s", scope.get("method"), scope.get("path"),
                      describe(exc), "".join(traceback.format_tb(exc.__traceback__)))
            if started:
                return
            from .limits import _reply
            await _reply(send, 500, "internal_error",
                         tr("Máy chủ gặp lỗi khi xử lý yêu cầu này; lỗi đã được ghi lại. Vui lòng thử lại sau."))


def describe(exc: BaseException) -> str:
    """An exception's type (and its causes'), without its message: messages can carry data."""
    names = []
    while exc is not None and len(names) < 5:
        names.append("%s.%s" % (type(exc).__module__, type(exc).__qualname__))
        exc = exc.__cause__ or exc.__context__
    return " <- ".join(names)

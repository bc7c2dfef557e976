"""Every refusal is a 4xx with a JSON body ``{"error": code, "message": Vietnamese text, ...}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from desk_app.domain.i18n import N_, tr


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
        details = [{"field": _field(tuple(e.get("loc", ()))),
                    "message": tr(_PYDANTIC.get(e.get("type", ""), "không hợp lệ"))} for e in errors[:20]]
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

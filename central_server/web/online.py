"""The online submission's pages: start from a procedure, fill the e-form, add photos or
PDFs of the papers, submit; add papers for a supplement request on the dossier's page.

Plain forms first (multipart POST, then 303 back to the draft): the whole path works with
JavaScript off. With it on, ``/static/online.js`` shrinks photos on the phone and sends them in
resumable pieces (``/ban-nhap/<token>/tai-len``), so a lost connection resumes where it stopped.
The draft's link is its capability; every POST also carries an HMAC token of it and passes
the same-origin check, and the client's rate is limited like the other forms'.
"""

from __future__ import annotations

import hmac
import hashlib
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from desk_app.domain import lifecycle
from desk_app.domain.dossier import ApplicantType, EventKind
from desk_app.domain.identity import id_kinds_for_new
from desk_app.domain.i18n import tr
from desk_app.domain.procedures import Channel, describe_deadline

from ..online import submissions as sub
from ..online.files import MAX_FILE_BYTES, FileRefused
from ..public import find
from ..settings import vn_now
from .render import language, page
from .security import same_origin, token_ok

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).resolve().parent
SCRIPT = (HERE / "static" / "online.js").read_bytes()
SCRIPT_VERSION = hashlib.sha256(SCRIPT).hexdigest()[:12]
MAX_MULTIPART = 4 * MAX_FILE_BYTES + 64 * 1024   # a plain form may carry a few files at once
MAX_PARTS = 80


def _db(request: Request):
    return request.app.state.db


def _store(request: Request):
    return request.app.state.blobs


def _uploads(request: Request) -> sub.Uploads:
    return sub.Uploads(Path(request.app.state.settings.data_dir) / "online-parts")


def draft_token(secret: bytes, token: str) -> str:
    return hmac.new(secret, ("draft|%s" % token).encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def _limited(request: Request, lang: str) -> Response | None:
    from .routes import _limited as limited
    return limited(request, request.app.state.online_limiter, lang)


def _not_found(request: Request, lang: str) -> Response:
    from .routes import _not_found as nf
    return nf(request, lang)


def _forbidden(request: Request, lang: str) -> Response:
    from .routes import _forbidden as fb
    return fb(request, lang)


def _draft_url(token: str, **flash) -> str:
    from urllib.parse import urlencode
    return "/ban-nhap/%s" % token + ("?" + urlencode(flash) if flash else "")


@router.get("/static/online-{version}.js")
async def script(version: str):
    return Response(SCRIPT, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=31536000, immutable"})


# -- start ------------------------------------------------------------------------------------

@router.get("/nop/{agency}/{code}")
async def start_page(request: Request, agency: str, code: str):
    with language(request) as lang:
        with _db(request).session(write=False) as s:
            proc = sub.online_procedure(s, agency[:20], code[:60])
        if proc is None:
            return page(request, lang, "message.html", status=404, switch="/thu-tuc",
                        title_key="online_none", text_key="online_none", n=0)
        terms = proc.terms(Channel.ONLINE)
        return page(request, lang, "online_start.html", p=proc, agency=agency, papers=sub.handed_in(proc),
                    time=describe_deadline(terms.deadline) if terms else "")


@router.post("/nop/{agency}/{code}")
async def start(request: Request, agency: str, code: str):
    with language(request) as lang:
        refused = _limited(request, lang)
        if refused is not None:
            return refused
        if not same_origin(request):
            return _forbidden(request, lang)
        with _db(request).session() as s:
            proc = sub.online_procedure(s, agency[:20], code[:60])
            if proc is None:
                return _not_found(request, lang)
            token = sub.new_draft(s, agency[:20], proc, vn_now())
        return RedirectResponse(_draft_url(token), status_code=303)


# -- the draft -------------------------------------------------------------------------------

def _view(request: Request, lang: str, token: str, draft, proc, errors=None, message: str = "", status=200):
    fields = dict(draft.fields or {})
    comps = []
    for i, c in enumerate(proc.components):
        if sub.is_shown(c):
            continue
        files = [(n, f) for n, f in enumerate(draft.files or []) if f.get("component") == i]
        comps.append({"index": i, "c": c, "files": files})
    base = str(request.base_url).rstrip("/")
    return page(request, lang, "online_form.html", status=status, p=proc, token=token, bad=status >= 400,
                form_token=draft_token(request.app.state.web_secret, token), f=fields, comps=comps,
                errors=errors or {}, message=message, draft_link=base + _draft_url(token),
                id_kinds=[(k.value, k.label) for k in id_kinds_for_new(vn_now().date())],
                applicant_types=[(ApplicantType.INDIVIDUAL.value, tr("Cá nhân")),
                                 (ApplicantType.ORGANISATION.value, tr("Tổ chức, doanh nghiệp"))],
                script_url="/static/online-%s.js" % SCRIPT_VERSION, max_mb=MAX_FILE_BYTES // (1024 * 1024),
                shown=[c for c in proc.components if sub.is_shown(c)])


def _load(s, token: str):
    draft = sub.find_draft(s, token)
    if draft is None:
        return None, None
    proc = sub.online_procedure(s, draft.agency_code, draft.procedure_code)
    return draft, proc


@router.get("/ban-nhap/{token}")
async def draft_page(request: Request, token: str):
    with language(request) as lang:
        with _db(request).session(write=False) as s:
            draft, proc = _load(s, token)
            if draft is None:
                return _not_found(request, lang)
            if draft.dossier_code:
                return RedirectResponse("/h/%s?k=%s" % (draft.dossier_code, draft.dossier_key), status_code=303)
            if proc is None:
                return page(request, lang, "message.html", status=404, switch="/thu-tuc",
                            title_key="online_none", text_key="online_none", n=0)
            msg = {"saved": tr("Đã lưu bản nháp."), "added": tr("Đã thêm tệp."),
                   "card": tr("Đã điền thông tin từ CCCD; xin kiểm tra lại."),
                   "removed": tr("Đã bỏ tệp.")}.get(request.query_params.get("ok", ""), "")
            err = request.query_params.get("err", "")
            return _view(request, lang, token, draft, proc, message=msg)


async def _multipart(request: Request):
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_MULTIPART):
        return None
    ctype = (request.headers.get("content-type") or "").lower()
    if not ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return None
    try:
        return await request.form(max_files=MAX_PARTS, max_fields=MAX_PARTS, max_part_size=MAX_FILE_BYTES + 1)
    except Exception:
        return None


@router.post("/ban-nhap/{token}")
async def draft_post(request: Request, token: str):
    with language(request) as lang:
        refused = _limited(request, lang)
        if refused is not None:
            return refused
        if not same_origin(request):
            return _forbidden(request, lang)
        form = await _multipart(request)
        if form is None:
            return page(request, lang, "message.html", status=413, switch="/",
                        title_key="online_too_big", text_key="online_too_big", n=MAX_FILE_BYTES // (1024 * 1024))
        given = form.get("token")
        if not isinstance(given, str) or not hmac.compare_digest(
                draft_token(request.app.state.web_secret, token).encode(), given.encode("utf-8", "replace")):
            return _forbidden(request, lang)
        texts = {k: v for k, v in form.items() if isinstance(v, str)}
        uploads = [(k, v) for k, v in form.multi_items() if not isinstance(v, str) and getattr(v, "filename", None)]
        now = vn_now()
        # the files first, each made clean outside the transaction (the slow part)
        cleaned, refusals, card = [], [], None
        for name, up in uploads:
            if name == "idcard":  # the back of a chip ID card: its QR fills the owner's details
                data = await up.read(MAX_FILE_BYTES + 1)
                card = await run_in_threadpool(_read_card, data)
                if card is None:
                    refusals.append(tr("Không đọc được mã QR trên ảnh CCCD; xin chụp lại mặt sau thẻ, rõ nét và đủ sáng."))
                continue
            if not name.startswith("c") or not name[1:].isdigit():
                continue
            data = await up.read(MAX_FILE_BYTES + 1)
            if not data:
                continue
            try:
                pdf, pages = await run_in_threadpool(sub.clean_file, data)
            except FileRefused as e:
                refusals.append("%s: %s" % (sub.safe_name(up.filename or ""), e.message))
                continue
            cleaned.append((int(name[1:]), pdf, pages, up.filename or ""))
        action = texts.get("action", "save")
        with _db(request).session() as s:
            draft, proc = _load(s, token)
            if draft is None:
                return _not_found(request, lang)
            if draft.dossier_code:
                return RedirectResponse("/h/%s?k=%s" % (draft.dossier_code, draft.dossier_key), status_code=303)
            if proc is None:
                return _not_found(request, lang)
            sub.save_fields(draft, texts, now)
            if card is not None:
                sub.fill_from_id_card(draft, card, now)
            for comp, pdf, pages, fname in cleaned:
                try:
                    sub.add_file(s, _store(request), draft, comp, pdf, pages, fname, now)
                except sub.SubmissionError as e:
                    refusals.append(e.message)
            if action.startswith("remove-") and action[7:].isdigit():
                sub.remove_file(draft, int(action[7:]), now)
            if refusals:
                return _view(request, lang, token, draft, proc, message=" ".join(refusals), status=422)
            if action == "submit":
                try:
                    code, key = sub.submit(s, _store(request), draft, now)
                except sub.SubmissionError as e:
                    s.commit()  # the draft keeps what was typed and sent
                    return _view(request, lang, token, draft, proc, errors=e.errors, message=e.message, status=422)
                return RedirectResponse("/h/%s?k=%s&ok=submitted" % (code, key), status_code=303)
        ok = "removed" if action.startswith("remove-") else ("added" if cleaned else ("card" if card else "saved"))
        return RedirectResponse(_draft_url(token, ok=ok) + "#tep", status_code=303)


def _read_card(data: bytes):
    from ..online.idcard import id_card_from_photo
    if not data or len(data) > MAX_FILE_BYTES:
        return None
    try:
        return id_card_from_photo(data)
    except FileRefused:
        return None


# -- resumable uploads (the page's script) ----------------------------------------------------------

def _json_error(status: int, message: str, **extra) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


async def _checked(request: Request, token: str):
    if not same_origin(request):
        return None, _json_error(403, tr("Yêu cầu không hợp lệ."))
    given = request.headers.get("x-draft-token", "")
    if not hmac.compare_digest(draft_token(request.app.state.web_secret, token).encode(),
                               given.encode("utf-8", "replace")):
        return None, _json_error(403, tr("Yêu cầu không hợp lệ."))
    wait = request.app.state.upload_limiter.take(_client(request))
    if wait > 0:
        return None, _json_error(429, tr("Gửi quá nhanh; xin đợi {n} giây.").format(n=max(1, int(wait + 0.999))))
    return True, None


def _piece(request: Request) -> int:
    return max(16 * 1024, min(int(request.app.state.settings.web_upload_piece_bytes), 4 * 1024 * 1024))


def _client(request: Request) -> str:
    from ..deps import client_ip
    return client_ip(request)


@router.post("/ban-nhap/{token}/tai-len")
async def upload_start(request: Request, token: str):
    with language(request):
        ok, refused = await _checked(request, token)
        if refused is not None:
            return refused
        try:
            body = await request.json()
            component, size, name = int(body["component"]), int(body["size"]), str(body.get("name", ""))[:300]
        except Exception:
            return _json_error(400, tr("Yêu cầu không hợp lệ."))
        with _db(request).session(write=False) as s:
            draft, proc = _load(s, token)
            if draft is None or proc is None or draft.dossier_code:
                return _json_error(404, tr("Không tìm thấy bản nháp."))
            if not 0 <= component < len(proc.components):
                return _json_error(400, tr("Yêu cầu không hợp lệ."))
            try:
                upload_id = _uploads(request).start(draft, component, size, name)
            except sub.SubmissionError as e:
                return _json_error(413, e.message)
        return JSONResponse({"id": upload_id, "offset": 0, "piece": _piece(request)})


@router.head("/ban-nhap/{token}/tai-len/{upload_id}")
async def upload_state(request: Request, token: str, upload_id: str):
    with _db(request).session(write=False) as s:
        draft = sub.find_draft(s, token)
        if draft is None:
            return Response(status_code=404)
        try:
            offset = _uploads(request).offset(draft, upload_id)
        except sub.SubmissionError:
            offset = None
    if offset is None:
        return Response(status_code=404)
    return Response(headers={"Upload-Offset": str(offset)})


@router.put("/ban-nhap/{token}/tai-len/{upload_id}")
async def upload_piece(request: Request, token: str, upload_id: str):
    with language(request):
        ok, refused = await _checked(request, token)
        if refused is not None:
            return refused
        try:
            offset = int(request.query_params.get("offset", ""))
        except ValueError:
            return _json_error(400, tr("Yêu cầu không hợp lệ."))
        declared = request.headers.get("content-length")
        if declared is None or not declared.isdigit() or int(declared) > 4 * _piece(request):
            return _json_error(413, tr("Phần tệp quá lớn."))
        data = await request.body()
        uploads = _uploads(request)
        with _db(request).session(write=False) as s:
            draft = sub.find_draft(s, token)
            if draft is None or draft.dossier_code:
                return _json_error(404, tr("Không tìm thấy bản nháp."))
            try:
                have, whole, taken = await run_in_threadpool(uploads.put, draft, upload_id, offset, data)
                meta = uploads.meta(draft, upload_id)
            except sub.SubmissionError as e:
                return _json_error(404, e.message)
        if whole is None:
            status = 200 if taken else 409
            return JSONResponse({"offset": have, "done": False}, status_code=status,
                                headers={"Upload-Offset": str(have)})
        try:
            pdf, pages = await run_in_threadpool(sub.clean_file, whole)
        except FileRefused as e:
            with _db(request).session(write=False) as s:
                draft = sub.find_draft(s, token)
                if draft is not None:
                    uploads.finish(draft, upload_id)
            return _json_error(422, e.message)
        with _db(request).session() as s:
            draft = sub.find_draft(s, token)
            if draft is None or draft.dossier_code or meta is None:
                return _json_error(404, tr("Không tìm thấy bản nháp."))
            try:
                item = sub.add_file(s, _store(request), draft, meta.component, pdf, pages, meta.name, vn_now())
            except sub.SubmissionError as e:
                return _json_error(422, e.message)
            uploads.finish(draft, upload_id)
        return JSONResponse({"offset": have, "done": True, "file": {"name": item["name"], "pages": pages}})


# -- papers for a supplement request, from the dossier's page -----------------------------------------

@router.post("/h/{code}/bo-sung")
async def supplement(request: Request, code: str):
    from .routes import _back
    with language(request) as lang:
        refused = _limited(request, lang)
        if refused is not None:
            return refused
        if not same_origin(request):
            return _forbidden(request, lang)
        form = await _multipart(request)
        if form is None:
            return page(request, lang, "message.html", status=413, switch="/",
                        title_key="online_too_big", text_key="online_too_big", n=MAX_FILE_BYTES // (1024 * 1024))
        key = form.get("k") if isinstance(form.get("k"), str) else ""
        with _db(request).session(write=False) as s:
            row = find(s, code, key[:100])
        if row is None:
            return _not_found(request, lang)
        if not token_ok(request.app.state.web_secret, row.code, key, str(form.get("token") or "")):
            return _forbidden(request, lang)
        if row.stage not in (lifecycle.Stage.ONLINE_SUPPLEMENT.value, lifecycle.Stage.SUPPLEMENT.value):
            return _back(row.code, key, err="invalid")
        items = []
        for name, up in form.multi_items():
            if isinstance(up, str) or not getattr(up, "filename", None):
                continue
            data = await up.read(MAX_FILE_BYTES + 1)
            if not data:
                continue
            try:
                pdf, pages = await run_in_threadpool(sub.clean_file, data)
            except FileRefused:
                return _back(row.code, key, err="file")
            items.append((pdf, pages, up.filename or ""))
        if not items:
            return _back(row.code, key, err="empty")
        now = vn_now()
        from .routes import _text
        note = _text(str(form.get("text") or ""))[:lifecycle.MAX_MESSAGE]
        with _db(request).session() as s:
            kept = [{"sha256": sub.keep_blob(s, _store(request), pdf, now), "pages": pages,
                     "name": sub.safe_name(n)} for pdf, pages, n in items]
            try:
                sub.add_supplement(s, _store(request), row.code, kept, note, now)
            except Exception:
                return _back(row.code, key, err="invalid")
        return _back(row.code, key, ok="supplement")

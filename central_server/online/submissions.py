"""Online submissions: a draft under its own link, its files, and the submission itself.

A draft is created from a procedure that has an online channel and lives under a capability
link (``/ban-nhap/<token>``, the token stored only as its SHA-256): the citizen can close the
tab, lose the network or change phone and come back to it. Every file is made clean when it
arrives (``photos.component_pdf``: EXIF applied then dropped, page found and flattened, a PDF
rasterised) and only the clean PDF is kept, by its SHA-256, in the server's blob store; the
citizen's original bytes are never stored. Large files arrive in resumable pieces
(``Uploads``): the part file's length is the offset to resume from.

Submitting checks the form with the desk's own rules (``desk_app.domain.intake.check_intake``:
the same messages as at the counter) and then, in ONE transaction, gives the dossier its code
(a number leased to the agency's web desk, like any desk's), assembles each component's pages
into one PDF, appends the ``submitted_online`` event through the push lock (the desks' reducer
judges it), makes the counter unit concerned (it pulls the dossier like any other) and marks
the draft submitted. Killed before the commit, nothing of it exists; after, all of it does.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain import lifecycle
from desk_app.domain.codes import format_dossier_code, new_key
from desk_app.domain.dossier import ApplicantType, EventKind, person_dict
from desk_app.domain.i18n import tr
from desk_app.domain.identity import IdKind
from desk_app.domain.intake import IntakeInput, PersonInput, check_intake
from desk_app.domain.procedures import Channel, Procedure, procedure_from_dict
from desk_app.domain.text import clean, one_line

from .. import citizen
from ..blobs import BlobStore, UploadState, record
from ..db import insert_ignore
from ..models import CentreProfile, OnlineDraft, OnlineFileRef, PublicProcedure
from .files import MAX_FILE_BYTES, MAX_PAGES, FileRefused, safe_name, too_large, too_many_pages
from .photos import component_pdf, join_pdfs

TOKEN_BYTES = 16                 # 128 bits, like the receipt's key
MAX_FILES_PER_COMPONENT = 10
PERSON_FIELDS = ("name", "id_kind", "id_number", "birth_date", "phone", "email", "address", "gender")
MAX_FIELD = 500


class SubmissionError(Exception):
    """Why a step of the citizen's submission was refused; ``errors`` by field for the form."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.errors = message, errors or {}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def online_procedure(s: Session, agency: str, code: str) -> Procedure | None:
    """The procedure as the centre publishes it, if it takes online submissions."""
    row = s.get(PublicProcedure, (agency, code))
    if row is None:
        return None
    try:
        proc = procedure_from_dict(row.data)
    except Exception:  # a catalogue entry this server cannot read is not offered
        return None
    return proc if proc.terms(Channel.ONLINE) is not None else None


def counter_unit(s: Session, agency: str) -> str | None:
    profile = s.get(CentreProfile, agency)
    return profile.counter_unit if profile is not None else None


def is_shown(component) -> bool:
    """A paper only shown at the counter for checking: not sent online, not missing either."""
    from ..web.content import shown_only
    return shown_only(component)


def handed_in(proc: Procedure) -> list:
    """The components the citizen sends a copy of (papers only shown at the counter excluded)."""
    return [c for c in proc.components if not is_shown(c)]


# -- the draft ---------------------------------------------------------------------------------

def new_draft(s: Session, agency: str, proc: Procedure, now: datetime) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    s.add(OnlineDraft(token_hash=_hash(token), agency_code=agency, procedure_code=proc.code, fields={},
                      files=[], created_at=now, updated_at=now))
    return token


def find_draft(s: Session, token: str) -> OnlineDraft | None:
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        return None
    return s.get(OnlineDraft, _hash(token))


def save_fields(draft: OnlineDraft, form: dict[str, str], now: datetime) -> None:
    """Keep what the citizen typed (bounded, cleaned); nothing is checked yet."""
    kept: dict[str, str] = {}
    for name in ("applicant_type", "submitter_differs", "collect_by_post", "notes",
                 *("owner." + f for f in PERSON_FIELDS), *("submitter." + f for f in PERSON_FIELDS)):
        value = form.get(name)
        if isinstance(value, str):
            kept[name] = one_line(value)[:MAX_FIELD]
    draft.fields = kept
    draft.updated_at = now


def _person(fields: dict[str, str], prefix: str) -> PersonInput:
    try:
        kind = IdKind(fields.get(prefix + "id_kind") or IdKind.CCCD.value)
    except ValueError:
        kind = IdKind.CCCD
    gender = fields.get(prefix + "gender", "")
    return PersonInput(name=fields.get(prefix + "name", ""), id_kind=kind,
                       id_number=fields.get(prefix + "id_number", ""),
                       birth_date=fields.get(prefix + "birth_date", ""), phone=fields.get(prefix + "phone", ""),
                       email=fields.get(prefix + "email", ""), address=fields.get(prefix + "address", ""),
                       gender=gender if gender in ("male", "female") else "")


def intake_input(draft: OnlineDraft, proc: Procedure) -> IntakeInput:
    """The draft as the counter's intake form (the same rules check it)."""
    f = draft.fields or {}
    try:
        applicant = ApplicantType(f.get("applicant_type") or "individual")
    except ValueError:
        applicant = ApplicantType.INDIVIDUAL
    counts: dict[str, int] = {}
    names = [c.name for c in proc.components]
    for item in draft.files or []:
        i = item.get("component")
        if isinstance(i, int) and 0 <= i < len(names):
            counts[names[i]] = 1
    for c in proc.components:  # papers shown at the counter are not sent: not missing either
        if is_shown(c):
            counts[c.name] = 1
    return IntakeInput(procedure_code=proc.code, applicant_type=applicant, owner=_person(f, "owner."),
                       submitter_differs=f.get("submitter_differs") == "1", submitter=_person(f, "submitter."),
                       components=counts, channel=Channel.ONLINE, collect_by_post=f.get("collect_by_post") == "1",
                       notes=f.get("notes", ""), case=_case_for_checking(proc))


def _case_for_checking(proc: Procedure) -> str:
    """The citizen does not choose among a procedure's cases (the counter does, when it accepts the
    submission: ``desk_app.services.online.accept``); the papers are checked against the first case
    that takes online submissions. Not part of what is submitted."""
    return next((c.key for c in proc.cases if Channel.ONLINE in c.channels), "") if proc.has_cases else ""


def fill_from_id_card(draft: OnlineDraft, card, now: datetime, prefix: str = "owner.") -> None:
    """The owner's details read from the QR on the back of a chip ID card, as at the counter."""
    fields = dict(draft.fields or {})
    fields.update({prefix + "name": card.name, prefix + "id_kind": IdKind.CCCD.value,
                   prefix + "id_number": card.id_number, prefix + "birth_date": card.birth_date.strftime("%d/%m/%Y"),
                   prefix + "gender": "male" if card.male else "female", prefix + "address": card.address})
    draft.fields = {k: clean(v)[:MAX_FIELD] for k, v in fields.items()}
    draft.updated_at = now


# -- files ---------------------------------------------------------------------------------------

def clean_file(data: bytes) -> tuple[bytes, int]:
    """One file the citizen sent, as a clean PDF (``FileRefused`` if we will not take it)."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large()
    return component_pdf([data])


def add_file(s: Session, store: BlobStore, draft: OnlineDraft, component: int, pdf: bytes, pages: int,
             name: str, now: datetime, owner: str = "web") -> dict[str, Any]:
    """Keep a clean PDF in the blob store and list it under the draft's component."""
    mine = [f for f in draft.files or [] if f.get("component") == component]
    if len(mine) >= MAX_FILES_PER_COMPONENT:
        raise SubmissionError(tr("Mỗi thành phần hồ sơ tối đa {n} tệp.").format(n=MAX_FILES_PER_COMPONENT))
    if sum(int(f.get("pages") or 0) for f in mine) + pages > MAX_PAGES:
        raise SubmissionError(too_many_pages().message)
    sha = keep_blob(s, store, pdf, now, owner)
    item = {"component": component, "sha256": sha, "pages": pages, "name": safe_name(name)}
    draft.files = [*(draft.files or []), item]
    draft.updated_at = now
    return item


def keep_blob(s: Session, store: BlobStore, data: bytes, now: datetime, owner: str = "web") -> str:
    sha = hashlib.sha256(data).hexdigest()
    path = store.path(sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".%s.tmp" % uuid.uuid4().hex)
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    record(s, UploadState(sha, len(data), len(data), True), owner, now)
    return sha


def remove_file(draft: OnlineDraft, index: int, now: datetime) -> None:
    files = list(draft.files or [])
    if 0 <= index < len(files):
        del files[index]
        draft.files, draft.updated_at = files, now


# -- resumable uploads ---------------------------------------------------------------------------

@dataclass
class Upload:
    id: str
    component: int
    size: int
    name: str


class Uploads:
    """A file arriving in pieces for a draft: ``<root>/<draft hash>-<id>.part`` holds what
    arrived; its length is where to resume. Pieces are appended under a file lock (several
    workers may share the folder)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _part(self, draft: OnlineDraft, upload_id: str) -> Path:
        if not (isinstance(upload_id, str) and len(upload_id) == 32 and upload_id.isalnum()):
            raise SubmissionError(tr("Mã tải lên không hợp lệ."))
        return self.root / ("%s-%s.part" % (draft.token_hash[:32], upload_id))

    def start(self, draft: OnlineDraft, component: int, size: int, name: str) -> str:
        if not 0 < size <= MAX_FILE_BYTES:
            raise SubmissionError(too_large().message if size > 0 else tr("Tệp rỗng."))
        upload_id = uuid.uuid4().hex
        self.root.mkdir(parents=True, exist_ok=True)
        part = self._part(draft, upload_id)
        part.write_bytes(b"")
        part.with_suffix(".meta").write_text("%d %d %s" % (component, size, safe_name(name)), encoding="utf-8")
        return upload_id

    def meta(self, draft: OnlineDraft, upload_id: str) -> Upload | None:
        meta = self._part(draft, upload_id).with_suffix(".meta")
        try:
            component, size, name = meta.read_text(encoding="utf-8").split(" ", 2)
        except (OSError, ValueError):
            return None
        return Upload(upload_id, int(component), int(size), name)

    def offset(self, draft: OnlineDraft, upload_id: str) -> int | None:
        try:
            return self._part(draft, upload_id).stat().st_size
        except OSError:
            return None

    def put(self, draft: OnlineDraft, upload_id: str, offset: int, data: bytes) -> tuple[int, bytes | None, bool]:
        """Append a piece at ``offset``; (the new offset, the whole file once complete, whether
        the piece was taken).
        A piece at the wrong offset changes nothing: the caller answers 409 with the right one."""
        up = self.meta(draft, upload_id)
        if up is None:
            raise SubmissionError(tr("Không tìm thấy lượt tải lên này; xin chọn lại tệp."))
        part = self._part(draft, upload_id)
        with open(part, "r+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0, os.SEEK_END)
            have = f.tell()
            if offset != have or have + len(data) > up.size:
                return have, None, False
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            have += len(data)
        if have < up.size:
            return have, None, True
        return have, part.read_bytes(), True

    def finish(self, draft: OnlineDraft, upload_id: str) -> None:
        part = self._part(draft, upload_id)
        part.unlink(missing_ok=True)
        part.with_suffix(".meta").unlink(missing_ok=True)


# -- submitting ------------------------------------------------------------------------------------

def check(draft: OnlineDraft, proc: Procedure, today: date):
    """(the checked intake, errors by field), with the counter's own rules and messages."""
    data, errors = check_intake(intake_input(draft, proc), proc, today)
    return data, errors


def assemble(s: Session, store: BlobStore, draft: OnlineDraft, proc: Procedure, now: datetime) -> list[dict]:
    """One clean PDF per component that has files: [{component name, sha256, pages}]."""
    out = []
    for i, comp in enumerate(proc.components):
        mine = [f for f in draft.files or [] if f.get("component") == i]
        if not mine:
            continue
        if len(mine) == 1:
            out.append({"sha256": mine[0]["sha256"], "pages": int(mine[0]["pages"]), "name": comp.name})
            continue
        pdf, pages = join_pdfs([store.path(f["sha256"]).read_bytes() for f in mine])
        sha = keep_blob(s, store, pdf, now)
        out.append({"sha256": sha, "pages": pages, "name": comp.name})
    return out


def submit(s: Session, store: BlobStore, draft: OnlineDraft, now: datetime, daily_lease_max: int | None = None,
           ) -> tuple[str, str]:
    """Submit the draft: (dossier code, tracking key). ``SubmissionError`` with the errors by
    field if the form does not pass the counter's rules. All in the caller's transaction."""
    if draft.dossier_code:
        return draft.dossier_code, draft.dossier_key or ""
    proc = online_procedure(s, draft.agency_code, draft.procedure_code)
    if proc is None:
        raise SubmissionError(tr("Thủ tục này hiện không nhận hồ sơ trực tuyến."))
    unit = counter_unit(s, draft.agency_code)
    if not unit:
        raise SubmissionError(tr("Trung tâm chưa sẵn sàng nhận hồ sơ trực tuyến; xin thử lại sau."))
    data, errors = check(draft, proc, now.date())
    if data is None:
        raise SubmissionError(tr("Hồ sơ chưa đủ hoặc có thông tin chưa đúng; xin xem các ô được đánh dấu."), errors)
    files = assemble(s, store, draft, proc, now)
    code = _new_code(s, draft.agency_code, now, daily_lease_max)
    key = new_key()
    counts = {f["name"]: 1 for f in files}
    components = [{"name": c.name, "form": c.form.value, "count": c.count if c.name in counts else 0}
                  for c in proc.components if c.name in counts]
    payload = lifecycle.payload_dict(lifecycle.SubmittedOnline(
        procedure=lifecycle.ProcedureRef(code=proc.code, name=proc.name, version=proc.version),
        received_at=now.replace(microsecond=0), due_at=now.replace(microsecond=0),
        key_sha256=hashlib.sha256(key.encode()).hexdigest(), applicant_type=data.applicant_type.value,
        owner=person_dict(data.owner), submitter=person_dict(data.submitter), components=components,
        channel=Channel.ONLINE.value, collect_by_post=data.collect_by_post, notes=data.notes,
        submission=draft.token_hash[:16], counter_unit=unit,
        files=[lifecycle.OnlineFile(sha256=f["sha256"], pages=f["pages"], name=f["name"]) for f in files]))
    try:
        citizen.append(s, code, EventKind.SUBMITTED_ONLINE, payload, now, concerned_unit=unit)
    except citizen.CitizenRefusal as refusal:
        raise SubmissionError(refusal.message) from None
    for f in files:
        insert_ignore(s, OnlineFileRef.__table__, {"sha256": f["sha256"], "dossier_code": code})
    draft.dossier_code, draft.dossier_key, draft.updated_at = code, key, now
    return code, key


def _new_code(s: Session, agency: str, now: datetime, daily_max: int | None) -> str:
    from ..leases import lease
    from ..security import DeskIdentity
    web = DeskIdentity(id=citizen.web_desk(agency), name="web", agency_code=agency, units=("WEB",), scope="units")
    block = lease(s, web, now.date(), 1, str(uuid.uuid4()), now, 1, daily_max)
    return format_dossier_code(agency, now.date(), block.first)


def add_supplement(s: Session, store: BlobStore, code: str, items: list[dict], text: str, now: datetime) -> None:
    """The citizen's papers for a supplement request, added on the dossier's page: one message
    to the counter carrying them; before acceptance the submission goes back to the counter's
    queue (``supplement_received``), after it the counter records the supplement itself."""
    for f in items:
        insert_ignore(s, OnlineFileRef.__table__, {"sha256": f["sha256"], "dossier_code": code})
    payload = lifecycle.payload_dict(lifecycle.CitizenMessage(
        text=text or tr("Tôi đã bổ sung giấy tờ theo yêu cầu."), channel="web",
        supplement=[lifecycle.OnlineFile(sha256=f["sha256"], pages=f["pages"], name=f["name"]) for f in items]))
    event = citizen.append(s, code, EventKind.CITIZEN_MESSAGE, payload, now)
    row_stage = s.execute(select(citizen.DossierState.stage).where(citizen.DossierState.code == code)).scalar()
    if row_stage == lifecycle.Stage.ONLINE_SUPPLEMENT.value:
        citizen.append(s, code, EventKind.SUPPLEMENT_RECEIVED, {"note": event["id"]}, now)

"""Intake at the counter: the checked form becomes a dossier, its events and its receipt."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..domain.codes import format_dossier_code, new_key
from ..domain.dossier import EventKind, Person, Status, person_dict
from ..domain.i18n import tr
from ..domain.intake import IntakeInput, check_intake
from ..domain.receipt import intake_time_warning
from ..domain.procedures import procedure_from_dict
from ..domain.roles import Action
from ..storage import repositories as repo
from ..storage.models import Attachment, Dossier, Unit
from . import receipts
from .context import CurrentUser, DeskContext, ServiceError, require


class IntakeInvalid(ServiceError):
    """The form has errors; ``errors`` maps each field key to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("\n".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class SavedDossier:
    code: str
    due_at: datetime
    receipt_path: Path | None
    receipt_error: str | None = None
    warning: str | None = None    # e.g. taken in outside working hours (``domain.receipt``)


def validate(ctx: DeskContext, form: IntakeInput) -> dict[str, str]:
    """The form's errors (empty when it can be saved), for showing beside the fields."""
    with ctx.db.session(write=False) as s:
        row = repo.current_procedure(s, form.procedure_code, ctx.clock().date()) if form.procedure_code else None
        proc = procedure_from_dict(row.data) if row else None
    return check_intake(form, proc, ctx.clock().date(), file_size=os.path.getsize)[1]


def store_attachment(ctx: DeskContext, source: Path) -> tuple[str, int, Path]:
    """Copy a file into the desk's content-addressed store; (sha256, size, stored path)."""
    h = hashlib.sha256()
    with open(source, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    target = ctx.attachments_dir / digest[:2] / (digest + source.suffix.lower())
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(source, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)  # a crash never leaves half a file under the real name
    return digest, target.stat().st_size, target


def _counter_code(s, user: CurrentUser) -> str | None:
    """The counter that receives: the clerk's unit, or the desk's counter."""
    unit = s.get(Unit, user.unit_id) if user.unit_id else None
    if unit is not None and unit.kind == "counter":
        return unit.code
    counter = s.get(Unit, repo.counter_unit_id(s)) if repo.counter_unit_id(s) else None
    return counter.code if counter is not None else (unit.code if unit is not None else None)


def save(ctx: DeskContext, user: CurrentUser, form: IntakeInput, print_receipt: bool = True) -> SavedDossier:
    """Save a dossier in one transaction (code, appointment, key, first events), then its receipt."""
    require(user, Action.INTAKE)
    now = ctx.clock().replace(microsecond=0)
    with ctx.db.session(write=False) as s:
        row = repo.current_procedure(s, form.procedure_code, now.date()) if form.procedure_code else None
        proc = procedure_from_dict(row.data) if row else None
    data, errors = check_intake(form, proc, now.date(), file_size=os.path.getsize)
    if data is None:
        raise IntakeInvalid(errors)
    assert proc is not None and row is not None
    stored = [(Path(p).name, *store_attachment(ctx, Path(p))) for p in data.attachments]
    terms = proc.terms(data.channel, data.case)  # the chosen case's time on the channel
    assert terms is not None
    due = ctx.calendar().appointment(now, terms.deadline)
    key = new_key()
    with ctx.db.session() as s:
        agency = repo.get_agency(s)
        if agency is None:
            raise ServiceError(tr("Chưa thiết lập thông tin cơ quan."))
        number = repo.next_dossier_number(s, agency.code, now.date(), ctx.desk_id,
                                          repo.get_setting(s, "code_block_size"), leaser=ctx.code_leaser)
        code = format_dossier_code(agency.code, now.date(), number)
        owner = data.owner
        names = [owner.name] + ([data.submitter.name] if data.submitter else [])
        numbers = [owner.id_number, owner.phone] + ([data.submitter.id_number, data.submitter.phone]
                                                     if data.submitter else [])
        dossier = Dossier(
            code=code, procedure_id=row.id, applicant_type=data.applicant_type.value,
            owner=person_dict(owner), submitter=person_dict(data.submitter), owner_name=owner.name,
            owner_id_number=owner.id_number, owner_phone=owner.phone,
            components=[{"name": c.name, "form": c.form.value, "count": c.count} for c in data.components],
            sets=data.sets, channel=data.channel.value, collect_by_post=data.collect_by_post,
            notes=data.notes, received_at=now, due_at=due, status=Status.RECEIVED.value,
            capability_key=key, clerk_id=user.id, desk_id=ctx.desk_id,
            register_book="01/%d" % now.year,
            register_number=repo.count_dossiers_in_year(s, now.year) + 1,
            appointment_at=due, stage="received", holder_user=user.username, holder_since=now,
            holder_unit_id=repo.counter_unit_id(s),
            search_text=repo.dossier_search_text(code, names, numbers))
        s.add(dossier)
        s.flush()
        repo.append_event(s, dossier, EventKind.RECEIVED, {
            "procedure": {"code": proc.code, "version": row.version, "name": proc.name},
            "applicant_type": data.applicant_type.value, "owner": dossier.owner,
            "submitter": dossier.submitter, "components": dossier.components, "sets": data.sets,
            "channel": data.channel.value, "collect_by_post": data.collect_by_post, "notes": data.notes,
            "received_at": now.isoformat(), "due_at": due.isoformat(),
            "key_sha256": hashlib.sha256(key.encode()).hexdigest(),
            **({"case": data.case, "case_name": data.case_name} if data.case else {}),
            **({"shown": list(data.shown)} if data.shown else {}),
            **({"fee": data.fee.to_json()} if data.fee else {}),
        }, user.username, ctx.desk_id, now, unit=_counter_code(s, user))
        for filename, digest, size, path in stored:
            s.add(Attachment(dossier_id=dossier.id, filename=filename, sha256=digest, size=size,
                             stored_path=str(path), kind="scan", added_at=now))
            repo.append_event(s, dossier, EventKind.ATTACHMENT_ADDED,
                              {"filename": filename, "sha256": digest, "size": size},
                              user.username, ctx.desk_id, now)
    warning = intake_time_warning(ctx.calendar(), now)  # the receipt prints this time: say so at the counter
    if not print_receipt:
        return SavedDossier(code, due, None, warning=warning)
    try:
        path = receipts.produce(ctx, user, code)
    except Exception as e:  # the dossier is saved; the clerk can reprint
        return SavedDossier(code, due, None, str(e), warning)
    return SavedDossier(code, due, path, warning=warning)

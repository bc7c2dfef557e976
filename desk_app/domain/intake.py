"""The intake form's rules: what a clerk typed becomes a valid dossier, or errors per field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .dossier import ApplicantType, ComponentHandedIn, Person
from .fees import FeeCharged, check_fee
from .i18n import tr
from .identity import (IdKind, InvalidValue, check_birth_date, check_email, check_id_number,
                       check_organisation_name, check_person_name, check_phone)
from .procedures import Channel, Procedure
from .text import clean


@dataclass
class PersonInput:
    """A person as typed: every field a string, nothing checked yet."""

    name: str = ""
    id_kind: IdKind = IdKind.CCCD
    id_number: str = ""
    birth_date: str = ""  # dd/mm/yyyy
    phone: str = ""
    email: str = ""
    address: str = ""
    gender: str = ""  # "male", "female" or "" (not given)


@dataclass
class IntakeInput:
    procedure_code: str = ""
    applicant_type: ApplicantType = ApplicantType.INDIVIDUAL
    owner: PersonInput = field(default_factory=PersonInput)
    submitter_differs: bool = False
    submitter: PersonInput = field(default_factory=PersonInput)
    components: dict[str, int] = field(default_factory=dict)  # component name -> count handed in (0 = not)
    sets: int = 1
    channel: Channel = Channel.DIRECT
    collect_by_post: bool = False
    notes: str = ""
    attachments: list[str] = field(default_factory=list)  # file paths
    case: str = ""                  # the procedure's case (trường hợp), when it has several
    fee_status: str = ""            # "" not recorded, or a fees.FeeStatus value
    fee_amount: str = ""
    fee_receipt: str = ""
    fee_note: str = ""


@dataclass(frozen=True)
class IntakeData:
    """A checked intake, ready to be saved."""

    procedure_code: str
    applicant_type: ApplicantType
    owner: Person
    submitter: Person | None
    components: tuple[ComponentHandedIn, ...]
    sets: int
    channel: Channel
    collect_by_post: bool
    notes: str
    attachments: tuple[str, ...]
    case: str = ""
    case_name: str = ""
    shown: tuple[str, ...] = ()     # papers shown for checking, handed back (not in ``components``)
    fee: FeeCharged | None = None


ATTACHMENT_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


_DATE_VN = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def parse_date_vn(text: str) -> date:
    """"dd/mm/yyyy" (or dd-mm-yyyy, dd.mm.yyyy, ddmmyyyy) -> date; a date of the right form
    that is not in the calendar (31/02) is told apart from one of the wrong form."""
    raw = clean(text).replace("-", "/").replace(".", "/").replace(" ", "")
    if raw.isascii() and raw.isdigit() and len(raw) == 8:
        raw = "%s/%s/%s" % (raw[:2], raw[2:4], raw[4:])
    m = _DATE_VN.fullmatch(raw)
    if m is None:
        raise InvalidValue(tr("Ngày phải có dạng ngày/tháng/năm, ví dụ 05/09/1990."))
    day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValue(tr("Ngày {date} không có trong lịch.").format(
            date="%02d/%02d/%04d" % (day, month, year))) from None


def _person(p: PersonInput, prefix: str, errors: dict[str, str], organisation: bool,
            today: date, need_contact: bool) -> Person | None:
    name = clean(p.name)
    try:
        name = check_organisation_name(name) if organisation else check_person_name(name)
    except InvalidValue as e:
        errors[prefix + "name"] = str(e)
    birth = None
    if p.birth_date.strip():
        try:
            birth = parse_date_vn(p.birth_date)
            if organisation:  # a founding date: not in the future, no age limit
                if birth > today:
                    raise InvalidValue(tr("Ngày thành lập không được sau ngày hôm nay."))
            else:
                check_birth_date(birth, today)
        except InvalidValue as e:
            errors[prefix + "birth_date"] = str(e)
    elif not organisation:
        errors[prefix + "birth_date"] = tr("Chưa nhập ngày sinh.")
    id_number = ""
    if p.gender not in ("", "male", "female"):
        errors[prefix + "gender"] = tr("Giới tính không hợp lệ.")
    male = {"male": True, "female": False}.get(p.gender)
    try:
        id_number = check_id_number(p.id_kind, p.id_number, birth_date=birth, male=male, presented_on=today)
    except InvalidValue as e:
        errors[prefix + "id_number"] = str(e)
    phone = ""
    if p.phone.strip() or need_contact:
        try:
            phone = check_phone(p.phone)
        except InvalidValue as e:
            errors[prefix + "phone"] = str(e)
    email = ""
    if p.email.strip():
        try:
            email = check_email(p.email)
        except InvalidValue as e:
            errors[prefix + "email"] = str(e)
    address = clean(p.address)
    if need_contact and len(address) < 5:
        errors[prefix + "address"] = tr("Chưa nhập địa chỉ.")
    if any(k.startswith(prefix) for k in errors):
        return None
    return Person(name, p.id_kind, id_number, birth, phone, email, address, p.gender)


def check_intake(form: IntakeInput, procedure: Procedure | None, today: date,
                 file_size=None) -> tuple[IntakeData | None, dict[str, str]]:
    """Check the form; return the data, or ``None`` with a message per field key."""
    errors: dict[str, str] = {}
    if procedure is None:
        errors["procedure"] = tr("Chưa chọn thủ tục hành chính.")
    org = form.applicant_type is ApplicantType.ORGANISATION
    owner = _person(form.owner, "owner.", errors, org, today, need_contact=True)
    submitter = None
    if form.submitter_differs:
        submitter = _person(form.submitter, "submitter.", errors, False, today, need_contact=False)
    components: list[ComponentHandedIn] = []
    shown: list[str] = []
    case = None
    if procedure is not None:
        case = procedure.case(form.case)
        if case is None:
            errors["case"] = (tr("Chưa chọn trường hợp của thủ tục.") if not form.case
                              else tr("Trường hợp đã chọn không có trong thủ tục này."))
        elif case.channels.get(form.channel) is None:
            errors["channel"] = tr("Thủ tục này không tiếp nhận qua kênh {channel}.").format(channel=form.channel.label)
        missing = []
        for comp in procedure.components:
            count = form.components.get(comp.name, 0)
            kept_as = comp.joins_dossier_as(form.channel)
            if count > 0 and kept_as is None:
                shown.append(comp.name)          # shown at the counter, handed back
            elif count > 0:
                components.append(ComponentHandedIn(comp.name, kept_as, count))
            elif comp.required:
                missing.append(comp.name)
        if missing:
            errors["components"] = tr("Thiếu thành phần bắt buộc: {names}.").format(names="; ".join(missing))
    fee = None
    try:
        fee = check_fee(form.fee_status, form.fee_amount, form.fee_receipt, form.fee_note)
    except InvalidValue as e:
        errors["fee"] = str(e)
    if not 1 <= form.sets <= 99:
        errors["sets"] = tr("Số bộ hồ sơ phải từ 1 đến 99.")
    attachments = []
    for path in form.attachments:
        low = path.lower()
        if not low.endswith(ATTACHMENT_SUFFIXES):
            errors["attachments"] = tr("Chỉ đính kèm tệp ảnh hoặc PDF.")
        elif file_size is not None and file_size(path) > MAX_ATTACHMENT_BYTES:
            errors["attachments"] = tr("Tệp đính kèm quá 50 MB.")
        else:
            attachments.append(path)
    if errors:
        return None, errors
    assert procedure is not None and owner is not None and case is not None
    return IntakeData(procedure.code, form.applicant_type, owner, submitter, tuple(components),
                      form.sets, form.channel, form.collect_by_post, clean(form.notes),
                      tuple(attachments), case.key, case.name, tuple(shown), fee), {}

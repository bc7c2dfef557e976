"""A centre's public data, sent by its desks: the profile (name, address, phone, hours), the
procedure catalogue and the announcements, which the citizens' pages show.

A desk writes only its own agency's rows. Every text is bounded and plain (no NUL, no lone
surrogate), normalised to NFC; the catalogue is read by the desks' own parser, so what the
pages show is what a desk would accept.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from desk_app.domain.i18n import tr
from desk_app.domain.procedures import CatalogueError, procedure_from_dict, procedure_to_dict
from desk_app.domain.text import fold

from .db import advisory_lock, insert_ignore
from .errors import ApiError
from .models import Announcement, CentreProfile, PublicProcedure
from .safejson import check, check_text, check_time
from .security import DeskIdentity

MAX_PROCEDURES = 5000
MAX_PROCEDURE_BYTES = 64 * 1024        # one procedure's JSON
MAX_ANNOUNCEMENTS = 200                # one request
PROCEDURE_CODE = r"^\d\.\d{6}(\.[0-9A-Z.]+)?$"
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _plain(value: str) -> str:
    return unicodedata.normalize("NFC", check_text(value)).strip()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CentreProfileIn(_Strict):
    name: str = Field(min_length=1, max_length=300)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)
    hours: str = Field(default="", max_length=1000)
    counter_location: str = Field(default="", max_length=1000)

    @field_validator("*")
    @classmethod
    def _text(cls, value: str) -> str:
        return _plain(value)


class CatalogueIn(_Strict):
    procedures: list[dict[str, Any]] = Field(max_length=MAX_PROCEDURES,
                                             description="each in the catalogue's JSON shape (procedure_to_dict)")


Tag = Annotated[str, Field(min_length=1, max_length=200)]


class AnnouncementIn(_Strict):
    id: str = Field(pattern=UUID)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(max_length=4000)
    valid_from: datetime
    valid_until: datetime | None = None
    procedures: list[Annotated[str, Field(pattern=PROCEDURE_CODE, max_length=60)]] = Field(default=[], max_length=50)
    fields: list[Tag] = Field(default=[], max_length=50)
    deleted: bool = False
    updated_at: datetime

    @field_validator("title", "body")
    @classmethod
    def _text(cls, value: str) -> str:
        return _plain(value)

    @field_validator("fields")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return [_plain(v) for v in value]

    @field_validator("valid_from", "valid_until", "updated_at")
    @classmethod
    def _time(cls, value: datetime | None) -> datetime | None:
        return None if value is None else check_time(value)


class AnnouncementsIn(_Strict):
    announcements: list[AnnouncementIn] = Field(min_length=1, max_length=MAX_ANNOUNCEMENTS)


class AnnouncementResult(BaseModel):
    id: str
    status: str = Field(description="stored, or stale: the server holds a newer version")


class AnnouncementsOut(BaseModel):
    results: list[AnnouncementResult]


class StoredOut(BaseModel):
    agency_code: str
    procedures: int = 0
    updated_at: datetime


# -- the profile ---------------------------------------------------------------------------
def put_profile(s: Session, desk: DeskIdentity, profile: CentreProfileIn, now: datetime) -> None:
    values = profile.model_dump()
    values["counter_unit"] = desk.home_unit  # the counter desk publishes the profile: online submissions go to it
    insert_ignore(s, CentreProfile, {"agency_code": desk.agency_code, **values, "updated_at": now})
    s.execute(update(CentreProfile).where(CentreProfile.agency_code == desk.agency_code)
              .values(**values, updated_at=now))


# -- the catalogue -------------------------------------------------------------------------
def _agency_lock(s: Session, agency: str) -> None:
    """Two replacements of one agency's catalogue, one after the other (SQLite's BEGIN
    IMMEDIATE already does this)."""
    advisory_lock(s, "catalogue:" + agency)


def read_catalogue(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each procedure read by the desks' parser and written back in its canonical shape;
    ``ApiError`` 422 naming every procedure that does not read, or a code given twice."""
    problems: list[str] = []
    seen: set[str] = set()
    out = []
    for i, data in enumerate(raw, start=1):
        try:
            check(data)
            if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_PROCEDURE_BYTES:
                raise CatalogueError([tr("quá lớn (tối đa {n} KB)").format(n=MAX_PROCEDURE_BYTES // 1024)])
            p = procedure_from_dict(data)
        except CatalogueError as e:
            problems.append(tr("thủ tục thứ {n}: {problem}").format(n=i, problem="; ".join(e.messages)))
            continue
        except (TypeError, ValueError, AttributeError, KeyError):
            problems.append(tr("thủ tục thứ {n}: không đọc được").format(n=i))
            continue
        if p.code in seen:
            problems.append(tr("thủ tục thứ {n}: mã {code} đã có ở trên").format(n=i, code=p.code))
            continue
        seen.add(p.code)
        out.append(procedure_to_dict(p))
    if problems:
        raise ApiError(422, "invalid_catalogue", tr("Danh mục thủ tục không hợp lệ: {problems}")
                       .format(problems=" | ".join(problems[:20])), problems=problems[:100])
    return out


def put_catalogue(s: Session, desk: DeskIdentity, procedures: list[dict[str, Any]], now: datetime) -> int:
    """Replace the agency's public catalogue with these (already read by ``read_catalogue``)."""
    _agency_lock(s, desk.agency_code)
    s.execute(delete(PublicProcedure).where(PublicProcedure.agency_code == desk.agency_code))
    rows = [{"agency_code": desk.agency_code, "code": p["code"], "name": p["name"], "field": p["field"][:200],
             "search_text": fold(" ".join((p["code"], p["name"], p["field"]))), "data": p, "updated_at": now}
            for p in procedures]
    if rows:
        s.execute(insert(PublicProcedure), rows)
    return len(rows)


# -- announcements -------------------------------------------------------------------------
def post_announcements(s: Session, desk: DeskIdentity, items: list[AnnouncementIn]) -> list[dict[str, str]]:
    """Upsert by id within the desk's agency; a version older than the one held is ``stale``.
    An id that belongs to another agency refuses the whole request (403), nothing stored."""
    ids = [a.id.lower() for a in items]
    foreign = sorted(set(s.scalars(select(Announcement.id).where(Announcement.id.in_(ids),
                                                                 Announcement.agency_code != desk.agency_code))))
    if foreign:
        raise ApiError(403, "forbidden", tr("Có thông báo thuộc cơ quan khác; không thông báo nào được lưu."),
                       announcements=foreign)
    results = []
    for a, announcement_id in zip(items, ids):
        if a.valid_until is not None and a.valid_until <= a.valid_from and not a.deleted:
            raise ApiError(422, "invalid_validity", tr("Thông báo {id}: ngày hết hiệu lực phải sau ngày bắt đầu.")
                           .format(id=announcement_id))
        values = {"title": a.title, "body": a.body, "valid_from": a.valid_from, "valid_until": a.valid_until,
                  "procedures": list(dict.fromkeys(a.procedures)), "fields": list(dict.fromkeys(a.fields)),
                  "deleted": a.deleted, "updated_at": a.updated_at, "desk": desk.id}
        insert_ignore(s, Announcement, {"id": announcement_id, "agency_code": desk.agency_code, **values})
        # the newest version wins, an equal one too: a desk stamps to the second and never goes
        # back, so two edits in one second (or after its clock went back) share an ``updated_at``
        # and the later text must not be refused as stale; the same one sent again (a lost answer)
        # is stored again, unchanged. The row's ``revision`` (the server's, ``onupdate``) moves at
        # every such write: the kept pages version an announcement by it, not by the desk's stamp
        done = s.execute(update(Announcement).where(Announcement.id == announcement_id,
                                                    Announcement.agency_code == desk.agency_code,
                                                    Announcement.updated_at <= a.updated_at)
                         .values(**values)).rowcount
        results.append({"id": a.id, "status": "stored" if done else "stale"})
    return results

"""Attachments by SHA-256, uploaded in resumable pieces and checked before they count.

The ``.part`` file is the truth while an upload is under way: its length is the offset to
resume from. Each desk has its own ``.part`` for a hash, so nobody's half-upload (or wrong
declared size) can stand in the way of another desk's upload of the same file. A piece is
appended under an exclusive file lock (several server processes may share the folder); the
finished file is hashed, then renamed into place and recorded. ``.part`` files nobody has
touched for ``part_max_age`` seconds are deleted at start-up and from time to time after.

A desk downloads a file only if it is concerned with a dossier the file is attached to
(``attachment_added`` events, or a citizen's message that carries it: an image sent through
Zalo), or, for a file attached to none, if the desk that uploaded it
is of its agency.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from desk_app.domain.i18n import tr

from .db import insert_ignore
from .errors import ApiError
from .models import Blob, Desk, ServerEvent
from .security import DeskIdentity

SHA256 = re.compile(r"[0-9a-f]{64}")  # whole string only: used with fullmatch (a "$" lets "\n" through)


@dataclass(frozen=True)
class UploadState:
    sha256: str
    size: int
    offset: int
    complete: bool

    def as_dict(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "offset": self.offset, "complete": self.complete}


class BlobStore:
    def __init__(self, root: Path, part_max_age: float = 24 * 3600):
        self.root = Path(root)
        self.part_max_age = part_max_age
        self._last_clean = time.monotonic()
        self._clean_lock = threading.Lock()

    def check(self, sha256: str) -> str:
        if not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
            raise ApiError(422, "invalid_sha256", tr("Mã SHA-256 phải gồm 64 chữ số thập lục phân viết thường."))
        return sha256

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def part(self, sha256: str, owner: str = "") -> Path:
        """The desk's own unfinished upload of the file."""
        tag = hashlib.sha256(owner.encode("utf-8")).hexdigest()[:16]
        return self.root / sha256[:2] / ("%s.%s.part" % (sha256, tag))

    def state(self, sha256: str, owner: str = "") -> UploadState | None:
        self.check(sha256)
        final = self.path(sha256)
        if final.exists():
            size = final.stat().st_size
            return UploadState(sha256, size, size, True)
        part = self.part(sha256, owner)
        if part.exists():
            size_file = part.with_suffix(".size")
            total = int(size_file.read_text()) if size_file.exists() else 0
            return UploadState(sha256, total, part.stat().st_size, False)
        return None

    def put(self, sha256: str, offset: int, total: int, data: bytes, max_size: int,
            owner: str = "") -> UploadState:
        """Append ``data`` at ``offset`` to ``owner``'s upload; 409 with the right offset if it is not
        where the file ends. A piece at offset 0 declaring another total starts the upload over."""
        self.check(sha256)
        self.clean_now_and_then()
        if total < 0 or total > max_size:
            raise ApiError(413, "too_large", tr("Tệp đính kèm quá lớn (tối đa {mb} MB).").format(
                mb=max_size // 1048576), limit_bytes=max_size)
        final = self.path(sha256)
        if final.exists():
            return UploadState(sha256, final.stat().st_size, final.stat().st_size, True)
        part = self.part(sha256, owner)
        part.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "ab+") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                if final.exists():  # finished by someone else while we waited for the lock
                    return UploadState(sha256, final.stat().st_size, final.stat().st_size, True)
                size_file = part.with_suffix(".size")
                known_total = int(size_file.read_text()) if size_file.exists() else None
                have = os.fstat(f.fileno()).st_size
                if known_total is not None and known_total != total and offset == 0:
                    f.truncate(0)  # a fresh start with another size: what was sent before is dropped
                    size_file.write_text(str(total))
                    known_total, have = total, 0
                if known_total is not None and known_total != total:
                    raise ApiError(409, "size_mismatch", tr("Kích thước tệp khác với lần gửi trước ({size} byte).")
                                   .format(size=known_total), offset=have, size=known_total)
                if offset != have:
                    raise ApiError(409, "wrong_offset", tr("Vị trí gửi tiếp không đúng; máy chủ đã có {n} byte.")
                                   .format(n=have), offset=have)
                if offset + len(data) > total:
                    raise ApiError(422, "past_end", tr("Dữ liệu gửi vượt quá kích thước đã khai của tệp."))
                if known_total is None:
                    size_file.write_text(str(total))
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
                have += len(data)
                if have < total:
                    return UploadState(sha256, total, have, False)
                if _sha256_of(part) != sha256:
                    os.truncate(part, 0)
                    raise ApiError(422, "hash_mismatch", tr("Nội dung tệp không khớp mã SHA-256; hãy gửi lại từ đầu."),
                                   offset=0)
                os.replace(part, final)
                size_file.unlink(missing_ok=True)
                _fsync_dir(final.parent)
                return UploadState(sha256, total, total, True)
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)


    def clean_abandoned(self, max_age: float | None = None) -> int:
        """Delete the unfinished uploads (and their size notes) untouched for ``max_age``
        seconds; the number of files deleted."""
        max_age = self.part_max_age if max_age is None else max_age
        limit = time.time() - max_age
        removed = 0
        try:
            for f in self.root.glob("*/*"):
                if f.suffix in (".part", ".size"):
                    try:
                        if f.stat().st_mtime < limit:
                            f.unlink()
                            removed += 1
                    except FileNotFoundError:
                        pass  # finished or cleaned by another process meanwhile
        except OSError:
            pass
        return removed

    def clean_now_and_then(self) -> None:
        """``clean_abandoned`` at most every quarter of the age limit (and at least hourly)."""
        every = min(self.part_max_age / 4, 3600.0)
        now = time.monotonic()
        if now - self._last_clean < every or not self._clean_lock.acquire(blocking=False):
            return
        try:
            self._last_clean = now
            self.clean_abandoned()
        finally:
            self._clean_lock.release()


def may_download(session: Session, desk: DeskIdentity, sha256: str) -> bool:
    """Whether ``desk`` may fetch the file: concerned with a dossier it is attached to, or (attached
    to none yet) uploaded by a desk of its agency."""
    from .concern import may_read
    blob = session.get(Blob, sha256)
    if blob is None:
        return False
    if blob.uploaded_by == desk.id:
        return True
    codes = set(session.scalars(select(ServerEvent.dossier_code).where(
        ServerEvent.kind == "attachment_added", ServerEvent.accepted.is_(True),
        ServerEvent.payload["sha256"].as_string() == sha256)))
    from .models import OnlineFileRef  # a citizen's file sent online: by the dossiers it belongs to
    codes |= set(session.scalars(select(OnlineFileRef.dossier_code).where(OnlineFileRef.sha256 == sha256)))
    codes |= citizen_message_dossiers(session, desk.agency_code, sha256)
    if codes:
        return any(may_read(session, desk, code) for code in codes)
    uploader = session.get(Desk, blob.uploaded_by)
    return uploader is not None and uploader.agency_code == desk.agency_code


def citizen_message_dossiers(session: Session, agency: str, sha256: str) -> set[str]:
    """The agency's dossiers with a citizen's message (an image sent through Zalo) naming the file
    in its ``attachments``. The JSON text is searched for the hash (portable across SQLite and
    PostgreSQL), then each match is checked for the hash in the list itself."""
    rows = session.execute(select(ServerEvent.dossier_code, ServerEvent.payload).where(
        ServerEvent.kind == "citizen_message", ServerEvent.accepted.is_(True),
        ServerEvent.agency_code == agency,
        cast(ServerEvent.payload, String).like("%" + sha256 + "%")))
    return {code for code, payload in rows
            if isinstance(payload, dict) and isinstance(payload.get("attachments"), list)
            and sha256 in payload["attachments"]}


def record(session: Session, state: UploadState, desk_id: str, now: datetime) -> None:
    insert_ignore(session, Blob.__table__, {"sha256": state.sha256, "size": state.size,
                                            "uploaded_by": desk_id, "completed_at": now})


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

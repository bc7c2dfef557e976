"""Attachments by SHA-256, uploaded in resumable pieces and checked before they count.

The ``.part`` file is the truth while an upload is under way: its length is the offset to
resume from. A piece is appended under an exclusive file lock (several server processes
may share the folder); the finished file is hashed, then renamed into place and recorded.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from desk_app.domain.i18n import tr

from .db import insert_ignore
from .errors import ApiError
from .models import Blob

SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class UploadState:
    sha256: str
    size: int
    offset: int
    complete: bool

    def as_dict(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "offset": self.offset, "complete": self.complete}


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def check(self, sha256: str) -> str:
        if not SHA256.match(sha256):
            raise ApiError(422, "invalid_sha256", tr("Mã SHA-256 phải gồm 64 chữ số thập lục phân viết thường."))
        return sha256

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def part(self, sha256: str) -> Path:
        return self.root / sha256[:2] / (sha256 + ".part")

    def state(self, sha256: str) -> UploadState | None:
        self.check(sha256)
        final = self.path(sha256)
        if final.exists():
            size = final.stat().st_size
            return UploadState(sha256, size, size, True)
        part = self.part(sha256)
        if part.exists():
            size_file = part.with_suffix(".size")
            total = int(size_file.read_text()) if size_file.exists() else 0
            return UploadState(sha256, total, part.stat().st_size, False)
        return None

    def put(self, sha256: str, offset: int, total: int, data: bytes, max_size: int) -> UploadState:
        """Append ``data`` at ``offset``; 409 with the right offset if it is not where the file ends."""
        self.check(sha256)
        if total < 0 or total > max_size:
            raise ApiError(413, "too_large", tr("Tệp đính kèm quá lớn (tối đa {mb} MB).").format(
                mb=max_size // 1048576), limit_bytes=max_size)
        final = self.path(sha256)
        if final.exists():
            return UploadState(sha256, final.stat().st_size, final.stat().st_size, True)
        part = self.part(sha256)
        part.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "ab+") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                if final.exists():  # finished by someone else while we waited for the lock
                    return UploadState(sha256, final.stat().st_size, final.stat().st_size, True)
                size_file = part.with_suffix(".size")
                known_total = int(size_file.read_text()) if size_file.exists() else None
                have = os.fstat(f.fileno()).st_size
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

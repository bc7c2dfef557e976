"""Accounts: creation, login with argon2 password hashes, lock-out after failures."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.i18n import tr
from ..domain.roles import Role
from ..domain.text import clean
from ..storage import repositories as repo
from ..storage.models import User
from .context import CurrentUser, DeskContext, ServiceError

_hasher = PasswordHasher()
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ServiceError(tr("Mật khẩu phải có ít nhất {n} ký tự.").format(n=MIN_PASSWORD))


def create_user(ctx: DeskContext, username: str, full_name: str, role: Role, password: str,
                unit_id: int | None = None) -> CurrentUser:
    username = clean(username).lower()
    if not username or " " in username:
        raise ServiceError(tr("Tên đăng nhập không được để trống hoặc chứa dấu cách."))
    check_new_password(password)
    with ctx.db.session() as s:
        if repo.user_by_username(s, username):
            raise ServiceError(tr("Tên đăng nhập {name} đã có.").format(name=username))
        u = User(username=username, full_name=clean(full_name), role=role.value,
                 password_hash=hash_password(password), unit_id=unit_id, created_at=ctx.clock())
        s.add(u)
        s.flush()
        return _current(u)


def login(ctx: DeskContext, username: str, password: str) -> CurrentUser:
    """The user if the password is right; ServiceError with a plain message otherwise."""
    wrong = ServiceError(tr("Sai tên đăng nhập hoặc mật khẩu."))
    with ctx.db.session() as s:
        u = repo.user_by_username(s, username)
        if u is None:
            _hasher.hash(password)  # same time as a real check: do not reveal which names exist
            raise wrong
        limit = repo.get_setting(s, "max_failed_logins")
        if not u.active or u.failed_logins >= limit:
            raise ServiceError(tr("Tài khoản đã bị khóa. Liên hệ quản trị viên để mở lại."))
        try:
            _hasher.verify(u.password_hash, password)
        except (VerificationError, InvalidHashError):
            u.failed_logins += 1
            s.commit()
            raise wrong from None
        u.failed_logins = 0
        if _hasher.check_needs_rehash(u.password_hash):
            u.password_hash = hash_password(password)
        return _current(u)


def verify_password(ctx: DeskContext, user: CurrentUser, password: str) -> bool:
    """For unlocking the screen: the same user's password again."""
    try:
        login(ctx, user.username, password)
        return True
    except ServiceError:
        return False


def _current(u: User) -> CurrentUser:
    return CurrentUser(u.id, u.username, u.full_name, Role(u.role), u.unit_id)


def check_admin(ctx: DeskContext, username: str, password: str) -> CurrentUser:
    """An administrator's credentials, checked without counting failures against the account.

    For leaving the kiosk: a passer-by typing wrong passwords there must not lock the
    administrator out (the kiosk limits tries itself).
    """
    wrong = ServiceError(tr("Sai tên đăng nhập hoặc mật khẩu."))
    with ctx.db.session(write=False) as s:
        u = repo.user_by_username(s, username)
        if u is None or not u.active:
            _hasher.hash(password)
            raise wrong
        try:
            _hasher.verify(u.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise wrong from None
        if u.role != Role.ADMIN.value:
            raise ServiceError(tr("Tài khoản này không phải quản trị viên."))
        return _current(u)

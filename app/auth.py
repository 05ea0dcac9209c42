"""Who is signed in, and what each role may do; checked in the services, not the widgets.

Roles: admin (users, settings, backups, the audit log — and everything else), clerk
(batch, review, full records, exports, certificates), desk (ancestral-land searches and
certificates, always for a named applicant). Passwords are kept only as argon2id hashes
(argon2-cffi); five wrong passwords in a row lock the account for fifteen minutes.

The signed-in principal lives in a context variable: the CLI signs in once per command,
the GUI once per session, and every service asks `require(permission)`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from db.archive import Archive
from db.models import AuditEntry, User

ROLES = ("admin", "clerk", "desk")
PERMISSIONS: dict[str, frozenset[str]] = {
    "desk": frozenset({"search.desk", "certificate", "verify"}),
    "clerk": frozenset({"search.desk", "search.records", "certificate", "verify", "process",
                        "review", "history", "export"}),
}
PERMISSIONS["admin"] = PERMISSIONS["clerk"] | {"users", "settings", "audit", "backup"}
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
NAME = re.compile(r"[\w.@-]{1,64}")
_hasher = PasswordHasher()  # argon2id, the library's recommended parameters


class AuthError(RuntimeError):
    """Sign-in refused (unknown user, wrong password, locked) or no users yet."""


class PermissionDenied(PermissionError):
    """The signed-in user's role does not allow this; the message says what and who."""


@dataclass(frozen=True)
class Principal:
    name: str
    role: str

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())


_current: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("toji_principal",
                                                                           default=None)


def current() -> Principal | None:
    return _current.get()


@contextlib.contextmanager
def acting_as(principal: Principal) -> Iterator[Principal]:
    """Runs the block as `principal` (a CLI command, a GUI session, a test)."""
    token = _current.set(principal)
    try:
        yield principal
    finally:
        _current.reset(token)


def require(permission: str) -> Principal:
    """The signed-in principal, if the role allows `permission`; else PermissionDenied."""
    principal = _current.get()
    if principal is None:
        raise PermissionDenied(f"sign in first: {permission} needs a user")
    if not principal.may(permission):
        raise PermissionDenied(f"{principal.name} ({principal.role}) may not {permission}")
    return principal


def has_users(archive: Archive) -> bool:
    with archive.session() as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise AuthError("a password needs at least 8 characters")


def create_user(archive: Archive, name: str, role: str, password: str) -> Principal:
    """Adds a user (admins only, except the very first user, who must be an admin)."""
    if not NAME.fullmatch(name):
        raise AuthError(f"{name!r} is not a user name (letters, digits, . @ - _; up to 64)")
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    _check_password(password)
    first = not has_users(archive)
    if first and role != "admin":
        raise AuthError("the first user of an archive is its administrator (--role admin)")
    by = "(first run)" if first else require("users").name
    with archive.session() as session, session.begin():
        if session.scalar(select(User.id).where(User.name == name)) is not None:
            raise AuthError(f"user {name} exists already")
        session.add(User(name=name, role=role, password_hash=_hasher.hash(password)))
        session.add(AuditEntry(actor=by, action="user.add", subject=name,
                               detail={"role": role}))
    return Principal(name, role)


def sign_in(archive: Archive, name: str, password: str) -> Principal:
    """Checks a password; counts failures (kept even though sign-in fails) and locks the
    account after five in a row. The refusal does not say whether the name exists."""
    now = dt.datetime.now(dt.UTC)
    with archive.session() as session, session.begin():
        user = session.scalar(select(User).where(User.name == name))
        locked = user.locked_until if user is not None else None
        if locked is not None and locked.tzinfo is None:
            locked = locked.replace(tzinfo=dt.UTC)
        if user is None or not user.active:
            _verify(_dummy_hash(), password)  # the same time whether or not the name exists
            refusal, why = "wrong user name or password", "unknown user"
        elif locked is not None and locked > now:
            refusal = why = (f"{name} is locked after {MAX_FAILURES} wrong passwords until "
                             f"{locked:%H:%M} UTC (an admin can unlock it)")
        elif not _verify(user.password_hash, password):
            user.failed_attempts += 1
            if user.failed_attempts >= MAX_FAILURES:
                user.locked_until, user.failed_attempts = now + LOCKOUT, 0
            refusal, why = "wrong user name or password", "wrong password"
        else:
            user.failed_attempts, user.locked_until = 0, None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            return Principal(user.name, user.role)
        session.add(AuditEntry(actor=name[:64], action="sign-in.refused", subject=name[:64],
                               detail={"why": why}))
    raise AuthError(refusal)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("not anyone's password")


def unlock(archive: Archive, name: str) -> None:
    by = require("users")
    with archive.session() as session, session.begin():
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise AuthError(f"no user {name}")
        user.failed_attempts, user.locked_until = 0, None
        session.add(AuditEntry(actor=by.name, action="user.unlock", subject=name, detail={}))


def users(archive: Archive) -> list[tuple[str, str, bool]]:
    require("users")
    with archive.session() as session:
        return [(u.name, u.role, u.locked_until is not None)
                for u in session.scalars(select(User).order_by(User.name))]

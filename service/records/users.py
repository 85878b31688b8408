"""People who sign in to the web interface: create, authenticate, list, disable, enable and
reset passwords.

Passwords are hashed with argon2id (``argon2-cffi``, its default RFC 9106 parameters: 64 MiB,
3 passes); a hash made with other parameters is replaced at the next successful sign-in, so
raising them takes effect as people sign in. User names are unique without regard to case.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, Invalid, NotFound
from ..models import User, utcnow
from ..permissions import ROLES

HASHER = PasswordHasher()
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; this only bounds the work a request can ask for
FIRST_ADMIN = "admin"


def username_key(username: str) -> str:
    return username.strip().casefold()


def _check_username(username: str) -> str:
    name = username.strip()
    if not USERNAME.match(name):
        raise Invalid(
            "A user name is 1 to 64 characters: letters, digits and . _ @ - (starting with a letter or digit).",
            errors={"username": ["Invalid user name."]})
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise Invalid(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.", errors={"role": ["Unknown role."]})
    return role


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"A password needs at least {MIN_PASSWORD} characters.",
                      errors={"password": [f"At least {MIN_PASSWORD} characters."]})
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"A password has at most {MAX_PASSWORD} characters.",
                      errors={"password": [f"At most {MAX_PASSWORD} characters."]})
    return password


def check_new_user(*, session: Session, username: str, role: str) -> str:
    """The user name as it will be stored, once name and role are valid and the name is free."""
    name, role = _check_username(username), _check_role(role)
    if find_user(session=session, username=name) is not None:
        raise Conflict(f"A user named {name!r} exists already (user names ignore case).",
                       errors={"username": ["Taken."]})
    return name


def create_user(*, session: Session, username: str, role: str, password: str,
                hasher: PasswordHasher = HASHER) -> User:
    name = check_new_user(session=session, username=username, role=role)
    _check_password(password)
    user = User(username=name, username_key=username_key(name), role=role, password_hash=hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def find_user(*, session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username_key == username_key(username)))


def get_user(*, session: Session, username: str) -> User:
    user = find_user(session=session, username=username)
    if user is None:
        raise NotFound(f"No user named {username.strip()!r}.")
    return user


def list_users(*, session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username_key)).all()


def has_users(*, session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or why not (for the log; people are only told that
    the user name or password is wrong)."""

    user: User | None
    failure: str | None = None  # unknown user, wrong password, disabled


def authenticate(*, session: Session, username: str, password: str, hasher: PasswordHasher = HASHER) -> SignIn:
    """Check a user name and password; on success record the sign-in time and, when the hash
    was made with other parameters than ``hasher``'s, store a new hash."""
    user = find_user(session=session, username=username) if username.strip() else None
    if user is None or len(password) > MAX_PASSWORD:
        _verify(hasher, _dummy_hash(hasher), password[:MAX_PASSWORD])
        return SignIn(None, "unknown user" if user is None else "password too long")
    if not _verify(hasher, user.password_hash, password):
        return SignIn(None, "wrong password")
    if user.disabled:
        return SignIn(None, "user disabled")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utcnow()
    session.flush()
    return SignIn(user)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the user name is unknown, so that answer takes as long as a wrong
    password (no probing for user names by timing)."""
    return hasher.hash(secrets.token_urlsafe(16))


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_disabled(*, session: Session, username: str, disabled: bool) -> User:
    """Disable (or enable again) a user: a disabled user cannot sign in, and a session already
    open ends at its next request."""
    user = get_user(session=session, username=username)
    user.disabled = disabled
    session.flush()
    return user


def reset_password(*, session: Session, username: str, password: str, hasher: PasswordHasher = HASHER) -> User:
    """Give a user a new password; sessions signed in with the old one end at their next request."""
    user = get_user(session=session, username=username)
    user.password_hash = hasher.hash(_check_password(password))
    user.password_changed_at = utcnow()
    session.flush()
    return user


def session_stamp(user: User) -> str:
    """What a signed-in session keeps to stay valid: it changes when the password is reset."""
    return f"{user.id}.{user.password_changed_at.timestamp():.6f}"


def new_password() -> str:
    """A random password for a first admin or a reset by an administrator (24 characters)."""
    return secrets.token_urlsafe(18)


def create_first_admin(*, session: Session, hasher: PasswordHasher = HASHER) -> tuple[User, str] | None:
    """An admin user named ``admin`` with a random password, when there is no user at all;
    returns it with its password (shown once), else None."""
    if has_users(session=session):
        return None
    password = new_password()
    return create_user(session=session, username=FIRST_ADMIN, role="admin", password=password, hasher=hasher), password

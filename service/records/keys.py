"""API keys: random tokens shown once, stored only as a SHA-256 hash, checked in constant time.

A SHA-256 of a 32-byte random token is enough here (no slow KDF): the token has 256 bits of
entropy, so the hash cannot be reversed by guessing.

Each process remembers the keys it has authenticated for a few seconds (:class:`KeyCache`,
``API_KEY_CACHE_SECONDS``), so a busy screening client costs no key lookup per request; a
revoked key therefore stops working in every process within that bound (at once in the one
that revoked it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Invalid, NotFound
from ..models import ROLES, ApiKey, utcnow
from ..screening.memo import drop_oldest

TOKEN_PREFIX = "sk_"
PREFIX_LEN = 12  # characters of the token kept to find its row
# What each role may do: service/permissions.py.


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(*, session: Session, name: str, role: str) -> tuple[ApiKey, str]:
    """A new key and its token; the token is returned once and never stored."""
    if role not in ROLES:
        raise Invalid(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.", errors={"role": ["Unknown role."]})
    if not name.strip():
        raise Invalid("A key needs a name.", errors={"name": ["Required."]})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name.strip(), role=role, prefix=token[:PREFIX_LEN], key_hash=_hash(token))
    session.add(key)
    session.flush()
    return key, token


def authenticate(*, session: Session, token: str) -> ApiKey | None:
    """The active key for a presented token, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) < PREFIX_LEN + 8:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == token[:PREFIX_LEN]))
    if key is None or key.revoked_at is not None:
        # Hash anyway so an unknown prefix takes as long as a wrong key.
        hmac.compare_digest(_hash(token), "0" * 64)
        return None
    return key if hmac.compare_digest(_hash(token), key.key_hash) else None


@dataclass(frozen=True)
class KeyIdentity:
    """Who an authenticated key is: what a request needs of it (never its hash)."""

    id: int
    name: str
    role: str


class KeyCache:
    """Keys authenticated in the last ``ttl`` seconds, by the SHA-256 of their token (the
    token itself is never kept). Unknown and revoked tokens are not remembered: a new key
    works at once, and a wrong one is looked up every time. At most ``size`` entries."""

    def __init__(self, ttl: float, *, size: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, KeyIdentity]] = {}

    def authenticate(self, *, session: Session, token: str) -> KeyIdentity | None:
        """The active key for a presented token, or None; from memory when seen recently."""
        digest = _hash(token)
        now = self._clock()
        hit = self._entries.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
        key = authenticate(session=session, token=token)
        if key is None:
            self._entries.pop(digest, None)
            return None
        identity = KeyIdentity(id=key.id, name=key.name, role=key.role)
        if self.ttl > 0:
            with self._lock:
                if len(self._entries) >= self.size:
                    self._entries = {d: e for d, e in self._entries.items() if e[0] > now}
                    if len(self._entries) >= self.size:
                        drop_oldest(self._entries)  # the oldest share (screening.memo)
                self._entries[digest] = (now + self.ttl, identity)
        return identity

    def forget(self, key_id: int) -> None:
        """Drop a key (revoked by this process): it stops working here at once."""
        with self._lock:
            self._entries = {d: e for d, e in self._entries.items() if e[1].id != key_id}


def list_keys(*, session: Session, include_revoked: bool = True) -> Sequence[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.id)
    if not include_revoked:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    return session.scalars(stmt).all()


def revoke_key(*, session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"No API key with id {key_id}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key


def has_active_key(*, session: Session) -> bool:
    return session.scalar(select(ApiKey.id).where(ApiKey.revoked_at.is_(None)).limit(1)) is not None

"""Who acts: an API key (the JSON API), a signed-in user (the web interface) or the command
line. One value the records functions take and stamp on every row that names its author
(history, screening evidence, dispositions, screening jobs), so the API and the UI share one
path and the rows read the same whoever wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement

from ..models import ApiKey, User
from ..permissions import READ, allows
from .keys import KeyIdentity


@dataclass(frozen=True)
class Actor:
    key_id: int | None = None
    key_name: str | None = None
    user_id: int | None = None
    user_name: str | None = None
    request_id: str | None = None
    # The role the key or user holds (None for the command line): not stored on rows.
    role: str | None = None

    @classmethod
    def of_key(cls, key: ApiKey | KeyIdentity, request_id: str | None = None) -> Actor:
        return cls(key_id=key.id, key_name=key.name, request_id=request_id, role=key.role)

    @classmethod
    def of_user(cls, user: User, request_id: str | None = None) -> Actor:
        return cls(user_id=user.id, user_name=user.username, request_id=request_id, role=user.role)

    @classmethod
    def of_row(cls, row: Any) -> Actor:
        """The actor a stored row names (e.g. a job, whose evidence row is written later by a
        worker on its submitter's behalf)."""
        return cls(key_id=row.key_id, key_name=row.key_name, user_id=row.user_id, user_name=row.user_name,
                   request_id=row.request_id)

    def columns(self) -> dict[str, Any]:
        """The attribution columns of a row this actor writes."""
        return {"key_id": self.key_id, "key_name": self.key_name, "user_id": self.user_id,
                "user_name": self.user_name, "request_id": self.request_id}

    @property
    def label(self) -> str | None:
        """How a person reads the author: the user name, else the key's name."""
        return self.user_name or self.key_name

    def owns(self, model: Any) -> ColumnElement[bool]:
        """A filter on ``model`` (a table with the attribution columns) for the rows this
        actor wrote: by user for a user, by key for a key."""
        if self.user_id is not None:
            return model.user_id == self.user_id  # type: ignore[no-any-return]
        return model.key_id == self.key_id  # type: ignore[no-any-return]


def jobs_owner(actor: Actor) -> Actor | None:
    """Whose jobs ``actor`` may see: only its own for a role that may not read the records (a
    screener: a vendor system, or a person who only screens); everyone's (None) otherwise."""
    return actor if actor.role is not None and not allows(actor.role, READ) else None


def author(row: Any) -> str | None:
    """The name a person reads for a stored row's author."""
    return row.user_name or row.key_name  # type: ignore[no-any-return]


# Rows written with no request behind them (imports by scripts, tests) name nobody.
NOBODY = Actor()

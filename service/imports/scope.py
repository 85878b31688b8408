"""Delisting scope: which stored listings an import of some files speaks for.

A designation of the import's authority that the files no longer list is delisted, but only
when it lies in the files' scope: a file that is one part of a list says nothing about the
other parts. Each parser module declares its rule as ``delisting_scope(file_names, listed)``:

- ``file_names``: the base names of the files imported together;
- ``listed``: the designations the files list, as the importer stores them (mappings with
  ``authority``, ``programme``, ``measures``).

It returns a :class:`DelistingScope`, whose ``covers`` is asked about each stored designation
(the same mapping shape) that the files do not list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Listing = Mapping[str, Any]


@dataclass(frozen=True)
class DelistingScope:
    note: str  # what the run record says about the scope
    covers: Callable[[Listing], bool] | None  # None: the import delists nothing


class ScopeRule(Protocol):
    def __call__(self, file_names: Sequence[str], listed: Iterable[Listing]) -> DelistingScope: ...


def never(reason: str) -> DelistingScope:
    return DelistingScope(f"none ({reason})", None)


def by_programme(file_names: Sequence[str], listed: Iterable[Listing]) -> DelistingScope:
    """A designation is in scope when each of its programmes (regimes) occurs in the files, so
    importing one part of a list leaves the other regimes alone. (Cost: when a regime's last
    entry is removed it is not noticed.)"""
    present: dict[str, set[str]] = {}
    for d in listed:
        present.setdefault(d["authority"], set()).update(_tokens(d["programme"]))
    note = "programmes: " + "; ".join(
        f"{a}: {', '.join(sorted(p for p in progs if p))}" for a, progs in sorted(present.items()))
    return DelistingScope(note, lambda row: _tokens(row["programme"]) <= present.get(row["authority"], set()))


def _tokens(programme: str | None) -> set[str]:
    return {p.strip() for p in (programme or "").split(";")}

"""Plain data types shared by the screening engine and its callers.

Nothing here knows about Flask or the database: the HTTP layer and the list
importers build these objects and hand them to :class:`ScreeningIndex`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Name of the matching algorithm, reported with every result so a stored
#: screening decision can be traced back to the logic that produced it.
ALGORITHM = "tokalign"
#: Bump when scores for the same input can change.
ALGORITHM_VERSION = "1.20"

#: Default decision threshold on the final score (0..1).
#: Chosen from the sweep in ``bench/accuracy.py``: on the 826 labelled
#: nomenklatura pairs F1 peaks at 0.78 (algorithm 1.3: 0.930, P 0.955
#: R 0.906; 5-fold held-out F1 0.925 from ``bench/accuracy_cv.py``), which
#: also keeps recall of the noisy UN positives at 0.99 and
#: the alert rate on 2,000 synthetic negatives at 0.1 %. Re-run the benchmark
#: before changing it.
DEFAULT_THRESHOLD: float = 0.78

#: Identifier tuple: (scheme, value, issuing country alpha-2 or None).
Identifier = tuple[str, str, str | None]

#: Entity types. "company", "organization" and "legal_entity" form one class for
#: the type rule; person, vessel and aircraft are each their own class.
ENTITY_TYPES = ("person", "company", "organization", "legal_entity", "vessel", "aircraft")


@dataclass(frozen=True, slots=True)
class ListedName:
    """One name of a listed entity and its kind (primary, aka, fka, weak_alias,
    original_script, ...). Weak aliases are kept but flagged in explanations."""

    name: str
    kind: str = "primary"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its constructor call: the dataclass default for a frozen class with slots
        # looks up the fields and sets each through Python code, per name, which was much of
        # unpickling the parts the index build's helper process sends
        # (service.records.index_build).
        return (ListedName, (self.name, self.kind))


@dataclass
class ListedEntity:
    """A sanctioned entity as the screening engine sees it."""

    entity_id: int
    type: str
    name: str
    names: list[ListedName]
    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


@dataclass
class Subject:
    """What a customer asks us to screen. Only ``name`` is required."""

    name: str
    type: str | None = None
    birth_date: str | None = None
    country: str | None = None
    identifiers: list[Identifier] = field(default_factory=list)


@dataclass
class Match:
    """One ranked candidate. ``match`` is ``score >= threshold``; the shape of
    ``explanation`` is documented in :mod:`service.screening.adjust`."""

    entity_id: int
    name: str
    matched_name: str
    score: float
    match: bool
    references: list[str]
    explanation: dict[str, Any]

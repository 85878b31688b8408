"""Fuzzy name screening engine: normalise, index, score, explain.

Pure Python, no Flask and no database: importable on its own.

    from service.screening import ScreeningIndex, ListedEntity, ListedName, Subject
    index = ScreeningIndex.build(entities)
    matches = index.screen(Subject(name="Guangzong Zhao", type="person"))
"""

from .index import ScreeningIndex
from .score import score_pair
from .types import (
    ALGORITHM,
    ALGORITHM_VERSION,
    DEFAULT_THRESHOLD,
    ListedEntity,
    ListedName,
    Match,
    Subject,
)

__all__ = [
    "ALGORITHM",
    "ALGORITHM_VERSION",
    "DEFAULT_THRESHOLD",
    "ListedEntity",
    "ListedName",
    "Match",
    "ScreeningIndex",
    "Subject",
    "score_pair",
]

"""Fuzzy name screening engine: normalise, index, score, explain.

Pure Python, no Flask and no database: importable on its own. The hot
modules can also be compiled with mypyc (see :mod:`.native`); the compiled
build is used when it matches the sources.

    from service.screening import ScreeningIndex, ListedEntity, ListedName, Subject
    index = ScreeningIndex.build(entities)
    matches = index.screen(Subject(name="Guangzong Zhao", type="person"))
"""

from . import native

native.activate(__path__)

from .index import ScreeningIndex  # noqa: E402 - after choosing the build
from .score import score_pair  # noqa: E402
from .types import (  # noqa: E402
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

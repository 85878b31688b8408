"""Delisting: a designation of the import's authority that the files no longer list gets
``delisted_on`` = the import date, within the scope its parser declares
(``delisting_scope`` in each module of service/imports/: OFAC by list file, UK/UN/EU by
programme, FtM never). Nothing is deleted; an entry that comes back has its ``delisted_on``
cleared by the merge."""

from __future__ import annotations

from datetime import date

from ...imports import DelistingScope
from .state import DesignationState, Workspace


def delist_absent(ws: Workspace, scope: DelistingScope, today: date) -> list[DesignationState]:
    """Delist the stored designations in scope that no entry lists (``ws.seen``); the ones delisted."""
    if scope.covers is None:
        return []
    out = []
    for key, row in ws.existing.items():
        if (key in ws.seen or row["delisted_on"] is not None or row["archived_at"] is not None
                or not row["list_ref"] or not scope.covers(row)):
            continue
        state = ws.designation_state(key)
        state.values["delisted_on"] = today
        out.append(state)
    return out

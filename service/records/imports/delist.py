"""Delisting: a designation of the import's authority that the files no longer list gets
``delisted_on`` = the import date, within the scope its parser declares
(``delisting_scope`` in each module of service/imports/: OFAC by list file, UK/UN/EU by
programme, FtM never). Nothing is deleted; an entry that comes back has its ``delisted_on``
cleared by the merge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ...imports import DelistingScope, ListFormat
from .state import DesignationState, Entry, Workspace


def delisting_scope(fmt: ListFormat, file_names: Sequence[str], entries: list[Entry]) -> DelistingScope:
    listed = [{"authority": authority, **values} for e in entries for (authority, _), values in e.designations]
    return fmt.delisting_scope(file_names, listed)


def delist_absent(ws: Workspace, entries: list[Entry], scope: DelistingScope, today: date) -> list[DesignationState]:
    """Delist the stored designations in scope that no entry lists; the ones delisted."""
    if scope.covers is None:
        return []
    seen = {k for e in entries for k, _ in e.designations}
    out = []
    for key, row in ws.existing.items():
        if (key in seen or row["delisted_on"] is not None or row["archived_at"] is not None
                or not row["list_ref"] or not scope.covers(row)):
            continue
        state = ws.designation_state(key)
        state.values["delisted_on"] = today
        out.append(state)
    return out

"""What an import did, told twice: in its run record (counts, warnings, per-entity changes)
and in the records' history (one row per record written, action ``import``)."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ...imports import DelistingScope, ParseResult
from ...models import ImportRun
from ..common import in_lists
from ..history import write_history
from .match import E
from .state import (
    DESIGNATION_FIELDS,
    ENTITY_FIELDS,
    DesignationState,
    EntityState,
    Entry,
    Workspace,
    jsonable,
)
from .write import Written

MAX_STORED_WARNINGS = 1000
MAX_STORED_CHANGES = 2000


@dataclass
class Tally:
    """What the run record tells, summed over the batches of an import; of the per-entity
    changes, only the ones the record keeps (``MAX_STORED_CHANGES``) are held."""

    entries: int = 0
    skipped: int = 0
    designations: int = 0
    names: int = 0
    states: int = 0  # existing entities matched
    relisted: int = 0
    changed: list[dict[str, Any]] = field(default_factory=list)  # the lowest entity ids
    changed_count: int = 0
    merged: int = 0
    added: list[dict[str, Any]] = field(default_factory=list)  # the first added
    added_count: int = 0
    # The scope rules read authority, programme and measures; each combination once is enough.
    listed: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)

    def add_batch(self, ws: Workspace, entries: list[Entry], skipped: int, written: Written) -> None:
        self.entries += len(entries)
        self.skipped += skipped
        self.designations += sum(len(e.designations) for e in entries)
        self.names += sum(len(e.state.names) for e in entries)
        self.states += len(ws.states)
        self.relisted += _relisted(ws)
        for e in entries:
            for (authority, _), values in e.designations:
                measures = tuple(values["measures"] or ())
                self.listed.setdefault((authority, values["programme"], measures),
                                       {"authority": authority, "programme": values["programme"],
                                        "measures": list(measures)})
        items = _changed_items(written)
        self.changed_count += len(items)
        self.merged += sum(1 for c in items if c["action"] == "merged")
        self.changed = heapq.nsmallest(MAX_STORED_CHANGES, [*self.changed, *items], key=lambda c: c["entity_id"])
        self.added_count += len(ws.new_states)
        room = MAX_STORED_CHANGES - len(self.added)
        self.added += [{"action": "added", "entity_id": s.id, "name": s.values["name"], "references": s.references}
                       for s in ws.new_states[:max(0, room)]]


def _relisted(ws: Workspace) -> int:
    return sum(1 for d in ws.des_states.values()
               if d.before.get("delisted_on") is not None and d.values["delisted_on"] is None)


def _changed_items(written: Written) -> list[dict[str, Any]]:
    """One item per existing entity changed or merged into."""
    out: list[dict[str, Any]] = []
    for s in written.changed:
        fields = s.changes()
        for d in s.designations:
            fields[f"designation {d.reference}"] = {"before": None, "after": "added"}
        for d in written.by_entity.get(s.id, []):
            for f, diff in d.changes().items():
                fields[f"designation {d.reference} {f}"] = diff
        out.append({"action": "merged" if s.merged else "changed", "entity_id": s.id,
                    "name": s.values["name"], "references": s.references, "fields": fields})
    return out


def delisted_items(conn: Connection, delisted: list[DesignationState]) -> list[dict[str, Any]]:
    names = _names_of(conn, {d.entity_id for d in delisted if d.entity_id is not None})
    return [{"action": "delisted", "entity_id": d.entity_id, "name": names.get(d.entity_id or 0),
             "references": [d.reference],
             "fields": {f"designation {d.reference} {f}": v for f, v in d.changes().items()}}
            for d in delisted]


def _names_of(conn: Connection, ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in in_lists(sorted(ids)):
        out.update({r[0]: r[1] for r in conn.execute(select(E.c.id, E.c.name).where(E.c.id.in_(chunk)))})
    return out


def fill_run(run: ImportRun, *, result: ParseResult, tally: Tally, ws: Workspace, file_names: Sequence[str],
             delisted: list[dict[str, Any]], scope: DelistingScope) -> None:
    warnings = [{"file": w.file, "row": w.row, "message": w.message} for w in result.warnings]
    if tally.skipped:
        warnings.append({"file": ", ".join(file_names), "row": "-",
                         "message": f"{tally.skipped} entries without a designation (no list reference) "
                                    "were not imported: nothing could match them again"})
    # Changed entities by id, then the delisted, then the added: as the record always listed them.
    changes = [*tally.changed, *delisted, *tally.added][:MAX_STORED_CHANGES]
    run.authorities = sorted(ws.authorities)
    run.added = tally.added_count
    run.changed = tally.changed_count
    run.merged = tally.merged
    run.unchanged = tally.states - tally.changed_count
    run.delisted = len(delisted)
    run.relisted = tally.relisted + _relisted(ws)
    run.designations = tally.designations
    run.names = tally.names
    run.warning_count = len(warnings)
    run.warnings = jsonable(warnings[:MAX_STORED_WARNINGS])
    run.change_count = tally.changed_count + len(delisted) + tally.added_count
    run.changes = jsonable(changes)
    run.stats = {**(run.stats or {}), **result.stats, "entries": tally.entries,
                 "skipped_without_reference": tally.skipped, "delisting_scope": scope.note}


# -- history ---------------------------------------------------------------------------------

def write_import_history(session: Session, ws: Workspace, written: Written) -> None:
    """One history row per entity added or changed and per existing designation changed or
    delisted. The bulk writes are invisible to the ORM's history hook, so they are told here."""
    rows: list[dict[str, Any]] = []
    for s in ws.new_states:
        snap = _entity_snapshot(s, 1)
        diff = {k: [None, v] for k, v in snap.items() if k not in {"id", "version"} and v not in (None, [], {})}
        diff["designations"] = [None, [d.reference for d in s.designations]]
        rows.append({"record_type": "entity", "record_id": s.id, "version": 1, "changes": diff, "snapshot": snap})
    for s in written.changed:
        diff = {f: [d["before"], d["after"]] for f, d in s.changes().items()}
        if s.designations:
            diff["designations added"] = [None, [d.reference for d in s.designations]]
        rows.append({"record_type": "entity", "record_id": s.id, "version": s.version + 1,
                     "changes": diff, "snapshot": _entity_snapshot(s, s.version + 1)})
    for d in written.designations:
        if d.id is None:
            continue
        diff = {f: [c["before"], c["after"]] for f, c in d.changes().items()}
        rows.append({"record_type": "designation", "record_id": d.id, "version": d.version + 1,
                     "changes": diff, "snapshot": _designation_snapshot(d, d.version + 1)})
    write_history(session, [{"action": "import", **row} for row in rows])


def _entity_snapshot(state: EntityState, version: int) -> dict[str, Any]:
    snap = {f: jsonable(state.values.get(f)) for f in ENTITY_FIELDS}
    snap.update(
        id=state.id, version=version,
        names=[{"name": n.name, "kind": n.kind, "script": n.script, "lang": n.lang} for n in state.names],
        identifiers=[{"scheme": i.scheme, "value": i.value, "country": i.country, "notes": i.notes,
                      "issued_on": None} for i in state.identifiers],
    )
    return snap


def _designation_snapshot(d: DesignationState, version: int) -> dict[str, Any]:
    snap = {f: jsonable(d.values.get(f)) for f in DESIGNATION_FIELDS}
    snap.update(id=d.id, entity_id=d.entity_id, authority=d.authority, list_ref=d.list_ref, version=version)
    return snap

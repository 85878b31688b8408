"""What an import did, told twice: in its run record (counts, warnings, per-entity changes)
and in the records' history (one row per record written, action ``import``)."""

from __future__ import annotations

from collections.abc import Sequence
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


def changes(conn: Connection, ws: Workspace, written: Written, delisted: list[DesignationState]) -> list[dict[str, Any]]:
    """One item per entity changed, merged, delisted or added."""
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
    names = _names_of(conn, {d.entity_id for d in delisted if d.entity_id is not None})
    for d in delisted:
        out.append({"action": "delisted", "entity_id": d.entity_id, "name": names.get(d.entity_id or 0),
                    "references": [d.reference],
                    "fields": {f"designation {d.reference} {f}": v for f, v in d.changes().items()}})
    for s in ws.new_states:
        out.append({"action": "added", "entity_id": s.id, "name": s.values["name"], "references": s.references})
    return out


def _names_of(conn: Connection, ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in in_lists(sorted(ids)):
        out.update({r[0]: r[1] for r in conn.execute(select(E.c.id, E.c.name).where(E.c.id.in_(chunk)))})
    return out


def fill_run(run: ImportRun, *, result: ParseResult, entries: list[Entry], skipped: int, ws: Workspace,
             authorities: list[str], file_names: Sequence[str], changes: list[dict[str, Any]],
             delisted: list[DesignationState], scope: DelistingScope) -> None:
    warnings = [{"file": w.file, "row": w.row, "message": w.message} for w in result.warnings]
    if skipped:
        warnings.append({"file": ", ".join(file_names), "row": "-",
                         "message": f"{skipped} entries without a designation (no list reference) "
                                    "were not imported: nothing could match them again"})
    changed = [c for c in changes if c["action"] in ("changed", "merged")]
    run.authorities = authorities
    run.added = len(ws.new_states)
    run.changed = len(changed)
    run.merged = sum(1 for c in changed if c["action"] == "merged")
    run.unchanged = len(ws.states) - run.changed
    run.delisted = len(delisted)
    run.relisted = sum(1 for d in ws.des_states.values()
                       if d.before.get("delisted_on") is not None and d.values["delisted_on"] is None)
    run.designations = sum(len(e.designations) for e in entries)
    run.names = sum(len(e.state.names) for e in entries)
    run.warning_count = len(warnings)
    run.warnings = jsonable(warnings[:MAX_STORED_WARNINGS])
    run.change_count = len(changes)
    run.changes = jsonable(changes[:MAX_STORED_CHANGES])
    run.stats = {**(run.stats or {}), **result.stats, "entries": len(entries),
                 "skipped_without_reference": skipped, "delisting_scope": scope.note}


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

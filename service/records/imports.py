"""Importing an official sanctions list: parse, match, merge, write; one transaction per file
set, one :class:`ImportRun` per attempt.

Speed: the whole state an import needs (the authority's designations, strong identifiers, the
matched entities with their names and identifiers) is read with a handful of Core SELECTs into
dicts, the merge runs in memory (:mod:`.merge`), and only the differences are written with
executemany INSERT/UPDATEs. An unchanged file therefore writes nothing but its run record:
no UPDATE, no version bump, no list-state counter change.

Bulk Core statements are invisible to the ORM's after-flush hook, so this module grows the
list-state counter and writes ``list_changes`` itself, with the same per-transaction
bookkeeping in ``session.info`` as :mod:`.listing` (both may share a transaction).

Delisting: a designation of the import's authority that is absent from the file gets
``delisted_on`` = the import date, but only within the file's scope:
- OFAC: by list file. Entries with OFAC's SDN measure ("blocking (asset freeze)") belong to
  the SDN list and are in scope when ``sdn.csv`` was imported; all others (consolidated
  non-SDN entries, and hand-entered OFAC designations without that measure) when
  ``cons_prim.csv`` was. Importing ``sdn.csv`` alone never delists consolidated entries.
- UK, UN, EU: by programme. A designation is in scope when each of its programmes (regimes)
  occurs in the file, so importing one part of the UK list leaves the other regimes alone.
  (Cost: when a regime's last entry is removed it is not noticed.)
- FtM: never (the files are excerpts that mix authorities).
Nothing is deleted. An entry that comes back has its ``delisted_on`` cleared.

Transactions: :func:`run_import` commits (it must: a failed import is rolled back and then
recorded in a transaction of its own).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, DomainError, Invalid
from ..imports import PARSERS, ImportFormatError, ParseResult
from ..models import (
    Designation,
    Entity,
    EntityIdentifier,
    EntityName,
    ImportRun,
    utcnow,
)
from .common import Page, chunks, paginate
from .import_history import write_import_history
from .listing import record_entity_changes
from .merge import (
    DESIGNATION_FIELDS,
    ENTITY_FIELDS,
    OWNER_KEY,
    STRONG_SCHEMES,
    DesignationState,
    EntityState,
    IdentRow,
    NameRow,
    clip,
    dates_compatible,
    delist,
    designation_values,
    entity_from_import,
    jsonable,
    merge_designation,
    merge_entity,
    norm_ident,
    same_identifier,
    strong_keys,
    types_compatible,
)

log = logging.getLogger(__name__)

MAX_STORED_WARNINGS = 1000
MAX_STORED_CHANGES = 2000
SDN_MEASURE = "blocking (asset freeze)"  # what service/imports/ofac.py gives SDN entries
_CHUNK = 2000  # ids per IN (...) list

E = cast(Table, Entity.__table__)
N = cast(Table, EntityName.__table__)
I = cast(Table, EntityIdentifier.__table__)  # noqa: E741
D = cast(Table, Designation.__table__)
Key = tuple[str, str]
# progress(stage, done, total): the CLI draws a bar with it.
Progress = Callable[[str, int, int], None]


class ImportFailed(Invalid):
    """The files could not be imported (wrong format, truncated, wrong encoding)."""

    def __init__(self, detail: str, *, run_id: int | None) -> None:
        errors = {"file": [detail]}
        if run_id is not None:
            errors["import_run"] = [f"Recorded as failed import run {run_id}."]
        super().__init__(detail, errors=errors)
        self.run_id = run_id


def describe_files(paths: Sequence[Path]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in paths:
        digest, size = hashlib.sha256(), 0
        try:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
                    size += len(block)
        except OSError:
            out.append({"name": path.name, "sha256": None, "size": None})
            continue
        out.append({"name": path.name, "sha256": digest.hexdigest(), "size": size})
    return out


def run_import(
    *, session: Session, fmt: str, paths: Sequence[Path], origin: str = "cli",
    progress: Progress | None = None, today: date | None = None,
) -> ImportRun:
    """Import the files as one list of format ``fmt``; all or nothing. Commits."""
    if fmt not in PARSERS:
        raise Invalid(f"Unknown format {fmt!r}.", errors={"format": [f"One of: {', '.join(sorted(PARSERS))}."]})
    if not paths:
        raise Invalid("No files to import.", errors={"file": ["Give at least one file."]})
    started = utcnow()
    files = describe_files(paths)
    try:
        if progress:
            progress("parse", 0, 1)
        result = PARSERS[fmt](list(paths))
        run = ImportRun(format=fmt, origin=origin, status="succeeded", started_at=started, files=files)
        _Import(session, fmt, result, run, [p.name for p in paths], today or date.today(), progress).apply()
        run.finished_at = utcnow()
        session.add(run)
        session.commit()
        return run
    except Exception as exc:
        session.rollback()
        known = isinstance(exc, ImportFormatError | DomainError)
        message = str(exc) if known else f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
        run_id = _record_failure(session, fmt, origin, files, started, message)
        if isinstance(exc, ImportFormatError):
            raise ImportFailed(message, run_id=run_id) from exc
        raise


def _record_failure(session: Session, fmt: str, origin: str, files: list[dict[str, Any]],
                    started: Any, message: str) -> int | None:
    run = ImportRun(format=fmt, origin=origin, status="failed", started_at=started,
                    finished_at=utcnow(), files=files, error=message[:10_000])
    try:
        session.add(run)
        session.commit()
    except Exception:  # the database itself may be what failed
        session.rollback()
        log.exception("could not record the failed import")
        return None
    return run.id


def get_run(*, session: Session, run_id: int) -> ImportRun:
    from ..errors import NotFound

    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(f"No import run with id {run_id}.")
    return run


def list_runs(*, session: Session, page: int, page_size: int, fmt: str | None = None,
              status: str | None = None) -> Page:
    stmt: Select[Any] = select(ImportRun)
    if fmt:
        stmt = stmt.where(ImportRun.format == fmt)
    if status:
        stmt = stmt.where(ImportRun.status == status)
    return paginate(session, stmt.order_by(ImportRun.id.desc()), page=page, page_size=page_size)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    return chunks(items, size)


def _tokens(programme: str | None) -> set[str]:
    return {p.strip() for p in (programme or "").split(";")}


@dataclass
class _Entry:
    """One parsed list entry on its way in."""

    state: EntityState
    designations: list[tuple[Key, dict[str, Any]]]
    target: EntityState | int | None = None  # an in-run state, an existing entity id, or new
    via_identifier: bool = False


@dataclass
class _Import:
    session: Session
    fmt: str
    result: ParseResult
    run: ImportRun
    file_names: list[str]
    today: date
    progress: Progress | None
    conn: Connection = field(init=False)
    existing: dict[Key, dict[str, Any]] = field(default_factory=dict)  # designation rows
    holders: dict[int, set[str]] = field(default_factory=dict)  # entity id -> authorities
    states: dict[int, EntityState] = field(default_factory=dict)  # loaded existing entities
    des_states: dict[Key, DesignationState] = field(default_factory=dict)  # existing ones seen
    new_states: list[EntityState] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    scope_note: str = ""

    def apply(self) -> None:
        self.conn = self.session.connection()
        entries, skipped = self._entries()
        authorities = sorted({k[0] for e in entries for k, _ in e.designations})
        self._load_designations(authorities)
        self._match(entries)
        self._load_states(sorted({e.target for e in entries if isinstance(e.target, int)}))
        self._merge(entries)
        delisted = self._delist(entries, authorities)
        if self.progress:
            self.progress("write", 0, 1)
        touched = self._write(delisted)
        self._log_changes(touched)
        self._fill_run(entries, authorities, skipped, delisted)

    # -- reading ---------------------------------------------------------------------------

    def _entries(self) -> tuple[list[_Entry], int]:
        entries, skipped = [], 0
        for imported in self.result.entities:
            keys = [((d.authority, clip(d.list_ref, "list_ref") or ""), designation_values(d))
                    for d in imported.designations if d.list_ref]
            if not keys:
                skipped += 1  # no (authority, list_ref): could never be matched again
                continue
            entries.append(_Entry(entity_from_import(imported), keys))
        return entries, skipped

    def _load_designations(self, authorities: list[str]) -> None:
        if not authorities:
            return
        for row in self.conn.execute(select(D).where(D.c.authority.in_(authorities))).mappings():
            self.existing[(row["authority"], row["list_ref"])] = dict(row)
            self.holders.setdefault(row["entity_id"], set()).add(row["authority"])

    def _identifier_index(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        index: dict[tuple[str, str], list[dict[str, Any]]] = {}
        stmt = (
            select(I.c.scheme, I.c.value, I.c.country, I.c.entity_id, E.c.type, E.c.birth_dates)
            .join(E, E.c.id == I.c.entity_id)
            .where(I.c.scheme.in_(list(STRONG_SCHEMES)), E.c.archived_at.is_(None))
        )
        for row in self.conn.execute(stmt).mappings():
            index.setdefault((row["scheme"], norm_ident(row["value"])), []).append(dict(row))
        return index

    def _match(self, entries: list[_Entry]) -> None:
        claimed: dict[Key, EntityState | int] = {}  # references first seen in this run
        index: dict[tuple[str, str], list[dict[str, Any]]] | None = None
        for entry in entries:
            for key, _ in entry.designations:
                if key in claimed:
                    entry.target = claimed[key]
                    break
                if key in self.existing:
                    entry.target = self.existing[key]["entity_id"]
                    break
            if entry.target is None:
                keys = strong_keys(entry.state.identifiers)
                if keys:
                    index = self._identifier_index() if index is None else index
                    entry.target = self._by_identifier(entry, keys, index)
                    entry.via_identifier = entry.target is not None
            if entry.target is None:
                entry.target = entry.state
                self.new_states.append(entry.state)
            authorities = {k[0] for k, _ in entry.designations}
            if isinstance(entry.target, int):
                self.holders.setdefault(entry.target, set()).update(authorities)
            for key, _ in entry.designations:
                if key not in self.existing:
                    claimed.setdefault(key, entry.target)

    def _by_identifier(self, entry: _Entry, keys: list[tuple[str, str, str | None]],
                       index: dict[tuple[str, str], list[dict[str, Any]]]) -> int | None:
        authorities = {k[0] for k, _ in entry.designations}
        values = entry.state.values
        hits: dict[int, int] = {}
        for scheme, value, country in keys:
            for row in index.get((scheme, value), []):
                eid = row["entity_id"]
                if (same_identifier(scheme, country, row["country"])
                        and types_compatible(values["type"], row["type"])
                        and dates_compatible(values["birth_dates"], row["birth_dates"] or [])
                        and not self.holders.get(eid, set()) & authorities):
                    hits[eid] = hits.get(eid, 0) + 1
        if not hits:
            return None
        return min(hits, key=lambda eid: (-hits[eid], eid))

    def _load_states(self, ids: list[int]) -> None:
        for chunk in _chunks(ids):
            for row in self.conn.execute(select(E).where(E.c.id.in_(chunk))).mappings():
                values = {f: row[f] for f in ENTITY_FIELDS}
                for f in ("birth_dates", "places_of_birth", "nationalities", "countries",
                          "addresses", "source_urls"):
                    values[f] = values[f] or []
                values["properties"] = values["properties"] or {}
                self.states[row["id"]] = EntityState(values=values, names=[], identifiers=[],
                                                     id=row["id"], version=row["version"])
            for row in self.conn.execute(select(N).where(N.c.entity_id.in_(chunk)).order_by(N.c.id)).mappings():
                self.states[row["entity_id"]].names.append(
                    NameRow(row["name"], row["kind"], row["script"], row["lang"], id=row["id"]))
            for row in self.conn.execute(select(I).where(I.c.entity_id.in_(chunk)).order_by(I.c.id)).mappings():
                self.states[row["entity_id"]].identifiers.append(
                    IdentRow(row["scheme"], row["value"], row["country"], row["notes"], id=row["id"]))
        for state in self.states.values():
            state.snapshot()

    # -- merging ---------------------------------------------------------------------------

    def _designation_state(self, key: Key) -> DesignationState:
        if key not in self.des_states:
            row = self.existing[key]
            values = {f: (list(row[f] or []) if f in ("measures", "source_urls") else row[f])
                      for f in DESIGNATION_FIELDS}
            self.des_states[key] = DesignationState(
                authority=key[0], list_ref=key[1], values=values, id=row["id"],
                entity_id=row["entity_id"], version=row["version"],
                archived=row["archived_at"] is not None, before=dict(values))
        return self.des_states[key]

    def _merge(self, entries: list[_Entry]) -> None:
        total = len(entries)
        for done, entry in enumerate(entries, 1):
            target = entry.target
            state = self.states[target] if isinstance(target, int) else target
            assert state is not None
            if state is not entry.state:
                owner = (state.values["properties"] or {}).get(OWNER_KEY) in entry.state.references
                merge_entity(state, entry.state, owner=owner)
                state.references.extend(entry.state.references)
                state.merged = state.merged or entry.via_identifier
            for key, values in entry.designations:
                if key in self.existing:
                    merge_designation(self._designation_state(key), values)
                elif not any((d.authority, d.list_ref) == key for d in state.designations):
                    state.designations.append(DesignationState(
                        authority=key[0], list_ref=key[1], values={**values, "delisted_on": None}))
            if self.progress and (done % 500 == 0 or done == total):
                self.progress("merge", done, total)

    def _delist(self, entries: list[_Entry], authorities: list[str]) -> list[DesignationState]:
        in_scope = self._scope(entries)
        if in_scope is None:
            return []
        seen = {k for e in entries for k, _ in e.designations}
        out = []
        for key, row in self.existing.items():
            if (key in seen or row["delisted_on"] is not None or row["archived_at"] is not None
                    or not row["list_ref"] or not in_scope(row)):
                continue
            state = self._designation_state(key)
            delist(state, self.today)
            out.append(state)
        return out

    def _scope(self, entries: list[_Entry]) -> Callable[[dict[str, Any]], bool] | None:
        if self.fmt == "ftm":
            self.run.stats = {**(self.run.stats or {}), "delisting_scope": "none (FtM)"}
            return None
        if self.fmt == "ofac":
            names = [n.lower() for n in self.file_names]
            sdn = any(re.match(r"^sdn\b(?!_comments)", n) for n in names)
            cons = any(n.startswith("cons_prim") for n in names)
            self.scope_note = f"OFAC lists: {', '.join(x for x, y in (('SDN', sdn), ('consolidated', cons)) if y)}"
            return lambda row: sdn if SDN_MEASURE in (row["measures"] or []) else cons
        present: dict[str, set[str]] = {}
        for e in entries:
            for (authority, _), values in e.designations:
                present.setdefault(authority, set()).update(_tokens(values["programme"]))
        self.scope_note = "programmes: " + "; ".join(
            f"{a}: {', '.join(sorted(p for p in progs if p))}" for a, progs in sorted(present.items()))
        return lambda row: _tokens(row["programme"]) <= present.get(row["authority"], set())

    # -- writing ---------------------------------------------------------------------------

    def _write(self, delisted: list[DesignationState]) -> set[int]:
        now = utcnow()
        touched: set[int] = set()
        self._insert_new(now)
        touched.update(s.id for s in self.new_states if s.id is not None)

        des_changed = [d for d in self.des_states.values() if d.changes()]
        delisted_ids = {id(d) for d in delisted}
        by_entity: dict[int | None, list[DesignationState]] = {}
        for d in des_changed:
            if id(d) not in delisted_ids:
                by_entity.setdefault(d.entity_id, []).append(d)
        changed = [s for s in self.states.values() if s.id in by_entity or self._is_changed(s)]
        self._update_entities(changed, now)
        touched.update(s.id for s in changed if s.id is not None)

        name_rows, ident_rows, des_rows, renames = [], [], [], []
        for s in changed:
            name_rows += [self._name_row(s.id, n) for n in s.names if n.id is None]
            renames += [{"b_id": n.id, "b_name": n.name} for n in s.names if n.id and n.renamed_from]
            ident_rows += [self._ident_row(s.id, i) for i in s.identifiers if i.id is None]
            des_rows += [self._des_row(s.id, d, now) for d in s.designations]
        self._executemany(insert(N), name_rows)
        self._executemany(insert(I), ident_rows)
        self._executemany(insert(D), des_rows)
        if renames:
            self.conn.execute(update(N).where(N.c.id == bindparam("b_id")).values(name=bindparam("b_name")), renames)

        self._update_designations(des_changed, now)
        # A designation's entity grows its version too (as in records/designations.py).
        others = {d.entity_id for d in des_changed} - touched
        others.discard(None)
        if others:
            for chunk in _chunks(sorted(others)):  # type: ignore[arg-type]
                self.conn.execute(update(E).where(E.c.id.in_(chunk))
                                  .values(version=E.c.version + 1, updated_at=now))
        touched |= others  # type: ignore[arg-type]
        self._record_changes(changed, delisted, by_entity)
        write_import_history(self.conn, actor=self.session.info.get("actor") or {}, added=self.new_states,
                             changed=changed, designations=des_changed)
        return touched

    def _is_changed(self, s: EntityState) -> bool:
        return bool(s.fields_changed or s.designations
                    or any(n.id is None or n.renamed_from for n in s.names)
                    or any(i.id is None for i in s.identifiers))

    def _insert_new(self, now: Any) -> None:
        if not self.new_states:
            return
        rows = [{**s.values, "version": 1, "created_at": now, "updated_at": now} for s in self.new_states]
        ids = []
        for chunk in _chunks(rows):
            result = self.conn.execute(insert(E).returning(E.c.id, sort_by_parameter_order=True), chunk)
            ids += [r[0] for r in result]
        for state, new_id in zip(self.new_states, ids, strict=True):
            state.id = new_id
        self._executemany(insert(N), [self._name_row(s.id, n) for s in self.new_states for n in s.names])
        self._executemany(insert(I), [self._ident_row(s.id, i) for s in self.new_states for i in s.identifiers])
        self._executemany(insert(D), [self._des_row(s.id, d, now) for s in self.new_states for d in s.designations])

    def _update_entities(self, changed: list[EntityState], now: Any) -> None:
        stmt = (update(E).where(E.c.id == bindparam("b_id"), E.c.version == bindparam("b_version"))
                .values({f: bindparam(f"v_{f}") for f in (*ENTITY_FIELDS, "version", "updated_at")}))
        rows = [{"b_id": s.id, "b_version": s.version, "v_version": s.version + 1, "v_updated_at": now,
                 **{f"v_{f}": s.values[f] for f in ENTITY_FIELDS}} for s in changed]
        self._checked_update(stmt, rows, "entities")

    def _update_designations(self, changed: list[DesignationState], now: Any) -> None:
        stmt = (update(D).where(D.c.id == bindparam("b_id"), D.c.version == bindparam("b_version"))
                .values({f: bindparam(f"v_{f}") for f in (*DESIGNATION_FIELDS, "version", "updated_at")}))
        rows = [{"b_id": d.id, "b_version": d.version, "v_version": d.version + 1, "v_updated_at": now,
                 **{f"v_{f}": d.values[f] for f in DESIGNATION_FIELDS}} for d in changed]
        self._checked_update(stmt, rows, "designations")

    def _checked_update(self, stmt: Any, rows: list[dict[str, Any]], what: str) -> None:
        for chunk in _chunks(rows):
            result = self.conn.execute(stmt, chunk)
            if self.conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(chunk):
                raise Conflict(f"Some {what} changed while the import ran; nothing was imported. Run it again.")

    def _executemany(self, stmt: Any, rows: list[dict[str, Any]]) -> None:
        for chunk in _chunks(rows, 5000):
            self.conn.execute(stmt, chunk)

    @staticmethod
    def _name_row(entity_id: int | None, n: NameRow) -> dict[str, Any]:
        return {"entity_id": entity_id, "name": n.name, "kind": n.kind, "script": n.script, "lang": n.lang}

    @staticmethod
    def _ident_row(entity_id: int | None, i: IdentRow) -> dict[str, Any]:
        return {"entity_id": entity_id, "scheme": i.scheme, "value": i.value, "country": i.country,
                "notes": i.notes, "issued_on": None}

    @staticmethod
    def _des_row(entity_id: int | None, d: DesignationState, now: Any) -> dict[str, Any]:
        return {"entity_id": entity_id, "authority": d.authority, "list_ref": d.list_ref,
                **{f: d.values[f] for f in DESIGNATION_FIELDS}, "version": 1,
                "created_at": now, "updated_at": now}

    def _log_changes(self, ids: set[int]) -> None:
        """Grow the list-state counter and log the touched entities, as the ORM hook does."""
        if ids:
            record_entity_changes(self.session, ids)

    # -- the run record ----------------------------------------------------------------------

    def _record_changes(self, changed: list[EntityState], delisted: list[DesignationState],
                        by_entity: dict[int | None, list[DesignationState]]) -> None:
        for s in changed:
            fields = s.changes()
            for d in s.designations:
                fields[f"designation {d.reference}"] = {"before": None, "after": "added"}
            for d in by_entity.get(s.id, []):
                for f, diff in d.changes().items():
                    fields[f"designation {d.reference} {f}"] = diff
            self.changes.append({"action": "merged" if s.merged else "changed", "entity_id": s.id,
                                 "name": s.values["name"], "references": s.references, "fields": fields})
        names = self._names_of({d.entity_id for d in delisted if d.entity_id is not None})
        for d in delisted:
            self.changes.append({"action": "delisted", "entity_id": d.entity_id, "name": names.get(d.entity_id or 0),
                                 "references": [d.reference],
                                 "fields": {f"designation {d.reference} {f}": v for f, v in d.changes().items()}})
        for s in self.new_states:
            self.changes.append({"action": "added", "entity_id": s.id, "name": s.values["name"],
                                 "references": s.references})

    def _names_of(self, ids: set[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in _chunks(sorted(ids)):
            out.update({r[0]: r[1] for r in self.conn.execute(select(E.c.id, E.c.name).where(E.c.id.in_(chunk)))})
        return out

    def _fill_run(self, entries: list[_Entry], authorities: list[str], skipped: int,
                  delisted: list[DesignationState]) -> None:
        run, result = self.run, self.result
        warnings = [{"file": w.file, "row": w.row, "message": w.message} for w in result.warnings]
        if skipped:
            warnings.append({"file": ", ".join(self.file_names), "row": "-",
                             "message": f"{skipped} entries without a designation (no list reference) "
                                        "were not imported: nothing could match them again"})
        changed = [c for c in self.changes if c["action"] in ("changed", "merged")]
        run.authorities = authorities
        run.added = len(self.new_states)
        run.changed = len(changed)
        run.merged = sum(1 for c in changed if c["action"] == "merged")
        run.unchanged = len(self.states) - run.changed
        run.delisted = len(delisted)
        run.relisted = sum(1 for d in self.des_states.values()
                           if d.before.get("delisted_on") is not None and d.values["delisted_on"] is None)
        run.designations = sum(len(e.designations) for e in entries)
        run.names = sum(len(e.state.names) for e in entries)
        run.warning_count = len(warnings)
        run.warnings = jsonable(warnings[:MAX_STORED_WARNINGS])
        run.change_count = len(self.changes)
        run.changes = jsonable(self.changes[:MAX_STORED_CHANGES])
        run.stats = {**(run.stats or {}), **result.stats, "entries": len(entries),
                     "skipped_without_reference": skipped}
        if self.scope_note:
            run.stats["delisting_scope"] = self.scope_note

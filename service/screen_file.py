"""Screen a CSV file through the engine: the work behind ``sanctions screen``.

No Flask: takes the session and index cache. Input columns ``name`` (required), ``type``,
``birth_date``, ``country``; every other column passes through unchanged.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from .errors import Invalid
from .records.screening import IndexCache, to_subject
from .schemas.screening import Subject as SubjectSchema

RESULT_COLUMNS = ("match_entity_id", "match_name", "matched_name", "match_score", "match",
                  "match_references", "match_count", "error")
SUBJECT_COLUMNS = ("name", "type", "birth_date", "country")


def read_rows(stream: IO[str]) -> tuple[list[str], Iterator[dict[str, str]]]:
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    if "name" not in header:
        raise Invalid(f"the input has no 'name' column (columns: {', '.join(header) or 'none'})")
    return list(header), iter(reader)


def _subject(row: dict[str, str]) -> dict[str, Any]:
    raw = {k: (row.get(k) or "").strip() for k in SUBJECT_COLUMNS}
    data = {k: v for k, v in raw.items() if v}
    return SubjectSchema().load(data)  # type: ignore[no-any-return]


def _error_message(exc: ValidationError) -> str:
    messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
    return "; ".join(f"{field}: {' '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                     for field, msgs in messages.items())


def screen_rows(
    *, session: Session, cache: IndexCache, rows: Iterator[dict[str, str]], threshold: float, limit: int = 10
) -> Iterator[tuple[dict[str, str], list[Any], str | None]]:
    """(input row, matches, error) per row; a bad row gets its error and no matches."""
    index = cache.current(session=session).index
    for row in rows:
        try:
            subject = to_subject(_subject(row))
        except ValidationError as exc:
            yield row, [], _error_message(exc)
            continue
        yield row, index.screen(subject, threshold=threshold, limit=limit), None


def write_csv(out: IO[str], header: list[str], results: Iterator[tuple[dict[str, str], list[Any], str | None]]) -> int:
    writer = csv.writer(out)
    writer.writerow([*header, *RESULT_COLUMNS])
    count = 0
    for row, matches, error in results:
        best = matches[0] if matches else None
        writer.writerow([
            *(row.get(col, "") for col in header),
            best.entity_id if best else "", best.name if best else "", best.matched_name if best else "",
            f"{best.score:.4f}" if best else "", ("yes" if best.match else "no") if best else "",
            ";".join(best.references) if best else "", sum(1 for m in matches if m.match), error or "",
        ])
        count += 1
    return count


def write_jsonl(out: IO[str], header: list[str], results: Iterator[tuple[dict[str, str], list[Any], str | None]]) -> int:
    count = 0
    for row, matches, error in results:
        record: dict[str, Any] = {
            "input": {col: row.get(col, "") for col in header},
            "matches": [{"entity_id": m.entity_id, "name": m.name, "matched_name": m.matched_name,
                         "score": m.score, "match": m.match, "references": m.references} for m in matches],
        }
        if error:
            record["error"] = error
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count

"""Importing an official sanctions list: parse, match, merge, delist, write; one transaction
per file set, one :class:`ImportRun` per attempt.

- :mod:`.run`: the run (bookkeeping, failure record, the pipeline in order), run lookups;
- :mod:`.state`: the in-memory states an import works on;
- :mod:`.match`: reading what the import needs and matching entries to records;
- :mod:`.merge`: who owns which field when an entry meets a record;
- :mod:`.delist`: absent entries, within the scope their parser declares;
- :mod:`.write`: the bulk INSERT/UPDATEs of what changed;
- :mod:`.report`: the run record and the history rows.

Speed: the whole state an import needs (the authority's designations, strong identifiers, the
matched entities with their names and identifiers) is read with a handful of Core SELECTs,
the merge runs in memory, and only the differences are written (new rows with COPY on
PostgreSQL, :mod:`..bulk`; executemany elsewhere). Entries go through match, merge and write
in batches (``BATCH_ENTRIES``), so memory follows the batch, not the file: a million-entity
FtM file imports in a few hundred MB. An unchanged file therefore writes nothing but its run record: no UPDATE, no version bump, no
list-state counter change. Bulk Core statements are invisible to the ORM's after-flush hooks,
so the importer grows the list-state counter (records/listing.py) and writes history
(records/history.py) through the same functions those hooks use.
"""

from .run import ImportFailed, describe_files, get_run, list_runs, run_import

__all__ = ["ImportFailed", "describe_files", "get_run", "list_runs", "run_import"]

"""The real OFAC, UK and UN lists for the realistic benchmarks, parsed as the service parses them.

The OFAC SDN files go through :func:`service.imports.parse_ofac` and become the engine's
:class:`ListedEntity` the way the service's index cache turns database rows into them
(``service/records/screening.py``: names with their kinds, nationalities + countries + address
countries, identifiers, ``AUTHORITY:list_ref`` references). The entity id is the OFAC ent_num.

UK (OFSI ConList) and UN entries are linked to an OFAC entry when their primary name,
normalised (case, accents, punctuation and word order ignored), is a name of exactly one OFAC
entry of the same type class. Their non-Latin names then become queries for that OFAC entry.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench._data import data_dir
from service.imports import ImportedEntity, parse_ofac, parse_uk, parse_un
from service.screening import ListedEntity, ListedName

OFAC_FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
UN_FILE = "un_consolidated_2026-02-27.xml"

_WORD = re.compile(r"[^\W_]+")


def name_key(name: str) -> str:
    """Case, accents, punctuation and word order ignored: "PETROV, Ivan" == "Ivan Petrov"."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(sorted(_WORD.findall(text)))


def type_class(etype: str) -> str:
    return {"person": "person", "vessel": "vessel", "aircraft": "aircraft"}.get(etype, "org")


def query_type(etype: str) -> str:
    """The type a customer file gives: person, or company for any organisation."""
    return "person" if etype == "person" else "company"


def is_latin(text: str) -> bool:
    for c in text:
        if c.isalpha():
            try:
                if not unicodedata.name(c).startswith("LATIN"):
                    return False
            except ValueError:
                return False
    return True


def script_of(text: str) -> str:
    """First word of the Unicode name of the first non-Latin letter: CYRILLIC, ARABIC, CJK ..."""
    for c in text:
        if c.isalpha():
            try:
                n = unicodedata.name(c)
            except ValueError:
                continue
            if not n.startswith("LATIN"):
                word = n.split()[0]
                return {"CJK": "HAN", "HANGUL": "HANGUL", "HIRAGANA": "KANA", "KATAKANA": "KANA"}.get(word, word)
    return "LATIN"


def to_listed(entity: ImportedEntity, entity_id: int) -> ListedEntity:
    """ImportedEntity -> ListedEntity, mirroring records.screening.listed_entities."""
    countries = list(dict.fromkeys(
        [*entity.nationalities, *entity.countries, *(a.country for a in entity.addresses if a.country)]
    ))
    return ListedEntity(
        entity_id=entity_id,
        type=entity.type,
        name=entity.name,
        names=[ListedName(n.name, n.kind) for n in entity.names] or [ListedName(entity.name, "primary")],
        birth_dates=list(entity.birth_dates),
        countries=countries,
        identifiers=[(i.scheme, i.value, i.country) for i in entity.identifiers],
        references=[f"{d.authority}:{d.list_ref}" for d in entity.designations if d.list_ref],
    )


@dataclass
class Lists:
    ofac: dict[int, ImportedEntity]  # ent_num -> parsed entry
    listed: list[ListedEntity]  # what the index is built from
    uk: list[ImportedEntity]
    un: list[ImportedEntity]
    # Every name of the three lists, normalised (to keep negatives clean).
    all_keys: set[str] = field(default_factory=set)
    # (UK/UN entity, linked OFAC ent_num) pairs.
    links: list[tuple[ImportedEntity, int]] = field(default_factory=list)


def require_data() -> Path:
    root = data_dir()
    missing = [p for p in [*(root / "ofac" / f for f in OFAC_FILES), root / "uk", root / "un" / UN_FILE]
               if not p.exists()]
    if missing:
        sys.exit(f"Sanctions data not found ({', '.join(map(str, missing[:3]))}). "
                 "Set SANCTIONS_DATA_DIR to the shared data folder (default ../shared/data).")
    return root


def load_lists() -> Lists:
    root = require_data()
    parsed = parse_ofac([root / "ofac" / f for f in OFAC_FILES])
    ofac = {int(e.source_key.split(":", 1)[1]): e for e in parsed.entities}
    listed = [to_listed(e, eid) for eid, e in ofac.items()]
    uk = parse_uk(sorted((root / "uk").glob("*.csv"))).entities
    un = parse_un(root / "un" / UN_FILE).entities
    lists = Lists(ofac=ofac, listed=listed, uk=uk, un=un)
    for e in (*ofac.values(), *uk, *un):
        lists.all_keys.update(name_key(n.name) for n in e.names)
    lists.links = _link(ofac, [*uk, *un])
    return lists


def _link(ofac: dict[int, ImportedEntity], others: list[ImportedEntity]) -> list[tuple[ImportedEntity, int]]:
    """UK/UN entries whose primary name is a name of exactly one OFAC entry of the same type
    class (so the person or company their non-Latin names write is the one OFAC lists under
    that name)."""
    by_key: dict[tuple[str, str], set[int]] = defaultdict(set)
    for eid, e in ofac.items():
        cls = type_class(e.type)
        for n in e.names:
            by_key[(cls, name_key(n.name))].add(eid)
    out = []
    for e in others:
        hits = by_key.get((type_class(e.type), name_key(e.name)), set())
        if len(hits) == 1:
            out.append((e, next(iter(hits))))
    return out

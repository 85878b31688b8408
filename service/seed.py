"""Load the seed data files (``seed/*.yaml``): validated like API input, idempotent.

Records are matched on natural keys (a strong identifier or type + primary name for entities,
authority + list reference for designations, name for threat groups, court + title for
cases), and only fields that differ are written, so a second load changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Invalid
from .models import (
    Case,
    CaseDefendant,
    Charge,
    Designation,
    Entity,
    EntityIdentifier,
    ThreatGroup,
    ThreatGroupMember,
)
from .records import cases, designations, entities, threat_groups
from .schemas.case import CaseIn, ChargeIn
from .schemas.designation import DesignationIn
from .schemas.entity import CompanyIn, PersonIn
from .schemas.threat_group import MemberIn, ThreatGroupIn
from .vocabulary import norm_ident, same_identifier, strong_key


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, was_new: bool) -> None:
        bucket = self.created if was_new else self.unchanged
        bucket[kind] = bucket.get(kind, 0) + 1


def read_seed_files(folder: Path) -> list[dict[str, Any]]:
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise Invalid(f"No seed files (*.yaml) in {folder}.")
    docs = []
    for path in files:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise Invalid(f"{path.name}: not valid YAML ({exc.__class__.__name__}).") from exc
        # YAML turns 2024-03-25 into a date; round-trip through JSON so the schemas see the
        # same strings an API client would send.
        docs.append(json.loads(json.dumps(raw, default=str)))
    return docs


def _validate(schema: Schema, data: dict[str, Any], where: str) -> dict[str, Any]:
    try:
        return schema.load(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise Invalid(f"Seed {where} is invalid: {exc.messages}", errors={"seed": [str(exc.messages)]}) from exc


def _find_entity(session: Session, data: dict[str, Any]) -> Entity | None:
    """The live entity sharing a strong identifier (the importer's rule), else the one of the
    same type and primary name."""
    for ident in data.get("identifiers", []):
        key = strong_key(ident["scheme"], ident["value"], ident.get("country"))
        if key is None:
            continue
        scheme, value, country = key
        candidates = session.execute(
            select(EntityIdentifier.entity_id, EntityIdentifier.value, EntityIdentifier.country)
            .join(Entity).where(EntityIdentifier.scheme == scheme, Entity.archived_at.is_(None))
            .order_by(EntityIdentifier.id)
        )
        for entity_id, other, other_country in candidates:
            if norm_ident(other) == value and same_identifier(scheme, country, other_country):
                return session.get(Entity, entity_id)
    return session.scalar(
        select(Entity).where(Entity.type == data["type"], Entity.name == data["name"], Entity.archived_at.is_(None))
    )


UNION_LISTS = ("birth_dates", "places_of_birth", "nationalities", "countries", "addresses", "source_urls")


def _union(entity: Entity, data: dict[str, Any]) -> dict[str, Any]:
    """Seed values added to what the record holds, never replacing it: an import may have
    added aliases, identifiers or countries the seed does not know."""
    merged = dict(data)
    names = [{"name": n.name, "kind": n.kind, "script": n.script, "lang": n.lang}
             for n in entity.names if n.kind != "primary"]
    known = {(n["name"], n["kind"]) for n in names}
    merged["names"] = names + [n for n in data.get("names", []) if (n["name"], n["kind"]) not in known]
    idents = [{"scheme": i.scheme, "value": i.value, "country": i.country, "notes": i.notes, "issued_on": i.issued_on}
              for i in entity.identifiers]
    have = {(i["scheme"], i["value"], i["country"]) for i in idents}
    merged["identifiers"] = idents + [i for i in data.get("identifiers", [])
                                      if (i["scheme"], i["value"], i.get("country")) not in have]
    for name in UNION_LISTS:
        if name in data:
            current = list(getattr(entity, name))
            merged[name] = current + [v for v in data[name] if v not in current]
    return merged


def load_seed(*, session: Session, docs: list[dict[str, Any]]) -> SeedReport:
    report = SeedReport()
    groups: dict[str, ThreatGroup] = {}
    ents: dict[str, Entity] = {}
    for doc in docs:
        for raw in doc.get("threat_groups", []):
            key = raw.pop("key")
            data = _validate(ThreatGroupIn(), raw, f"threat group {key}")
            group = session.scalar(select(ThreatGroup).where(ThreatGroup.name == data["name"]))
            report.count("threat_groups", group is None)
            if group is None:
                group = threat_groups.create_group(session=session, data=data)
            else:
                threat_groups.update_group(session=session, group=group, data=data, replace=False)
            groups[key] = group
        for raw in doc.get("entities", []):
            ents[raw["key"]] = _load_entity(session, raw, groups, report)
        for raw in doc.get("cases", []):
            _load_case(session, raw, groups, ents, report)
    session.flush()
    return report


def _load_entity(session: Session, raw: dict[str, Any], groups: dict[str, ThreatGroup], report: SeedReport) -> Entity:
    raw = dict(raw)
    key = raw.pop("key")
    links = raw.pop("threat_groups", [])
    listings = raw.pop("designations", [])
    kind = raw.pop("type")
    schema = PersonIn() if kind == "person" else CompanyIn()
    data = _validate(schema, raw if kind == "person" else {**raw, "type": kind}, f"entity {key}")
    data["type"] = kind
    entity = _find_entity(session, data)
    is_new = entity is None
    if entity is None:
        entity = entities.create_entity(session=session, data=data)
    else:
        entities.update_entity(session=session, entity=entity, data=_union(entity, data), replace=False)
    report.count("entities", is_new)
    for raw_d in listings:
        d = _validate(DesignationIn(), {**raw_d, "entity_id": entity.id}, f"designation of {key}")
        existing = session.scalar(
            select(Designation).where(Designation.authority == d["authority"], Designation.list_ref == d["list_ref"])
        )
        if existing is None:
            designations.create_designation(session=session, data=d)
        else:
            designations.update_designation(session=session, designation=existing, data=d, replace=False)
        report.count("designations", existing is None)
    for raw_l in links:
        group = groups[raw_l["group"]]
        link_data = _validate(MemberIn(), {k: v for k, v in raw_l.items() if k != "group"} | {"entity_id": entity.id},
                              f"threat group link of {key}")
        existing_link = session.scalar(
            select(ThreatGroupMember).where(
                ThreatGroupMember.group_id == group.id, ThreatGroupMember.entity_id == entity.id,
                ThreatGroupMember.role == link_data["role"],
            )
        )
        if existing_link is None:
            threat_groups.add_member(session=session, group=group, data=link_data)
        else:
            threat_groups.update_member(session=session, link=existing_link, data=link_data)
        report.count("threat_group_members", existing_link is None)
    return entity


def _load_case(
    session: Session, raw: dict[str, Any], groups: dict[str, ThreatGroup], ents: dict[str, Entity], report: SeedReport
) -> None:
    raw = dict(raw)
    key = raw.pop("key")
    defendant_keys = raw.pop("defendants", [])
    charges_for_each = raw.pop("charges_for_each", [])
    group_key = raw.pop("threat_group", None)
    if group_key:
        raw["threat_group_id"] = groups[group_key].id
    data = _validate(CaseIn(), raw, f"case {key}")
    case = session.scalar(select(Case).where(Case.court == data["court"], Case.title == data["title"]))
    is_new = case is None
    if case is None:
        case = cases.create_case(session=session, data=data)
    else:
        cases.update_case(session=session, case=case, data=data, replace=False)
    report.count("cases", is_new)
    for ent_key in defendant_keys:
        entity = ents[ent_key]
        defendant = session.scalar(
            select(CaseDefendant).where(CaseDefendant.case_id == case.id, CaseDefendant.entity_id == entity.id)
        )
        if defendant is None:
            cases.add_defendant(session=session, case=case, data={"entity_id": entity.id})
        report.count("defendants", defendant is None)
        for raw_c in charges_for_each:
            c = _validate(ChargeIn(), {**raw_c, "entity_id": entity.id}, f"charge in case {key}")
            charge = session.scalar(
                select(Charge).where(Charge.case_id == case.id, Charge.entity_id == entity.id,
                                     Charge.count_number == c["count_number"])
            )
            if charge is None:
                cases.add_charge(session=session, case=case, data=c)
            else:
                cases.update_charge(session=session, charge=charge, data=c, replace=False)
            report.count("charges", charge is None)

"""The editing forms (Flask-WTF): persons and companies, designations, cases and charges.

The forms only carry what people type; the rules are the API's: :meth:`RecordForm.payload`
turns the input into the body the API would receive, which the same marshmallow schema loads
and the same ``records/`` function writes (:mod:`.editing`). So the forms declare no
validators of their own. Lists of short values (dates, country codes, URLs) are one per line;
names and identifiers are repeatable rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList
from wtforms.fields.choices import SelectChoice

from ..vocabulary import CASE_STATUSES, CHARGE_STATUSES, GENDERS, NAME_KINDS

# Blank rows offered below the filled ones, and the most a form takes.
SPARE_ROWS = 1
MAX_ROWS = 200
LIST_SEPARATOR = re.compile(r"[\r\n]+")
CODES_SEPARATOR = re.compile(r"[\s,;]+")


def lines(text: str | None, *, separator: re.Pattern[str] = LIST_SEPARATOR) -> list[str]:
    """The non-blank items of a one-per-line (or, for codes, comma- or space-separated) field."""
    return [item.strip() for item in separator.split(text or "") if item.strip()]


def joined(values: Iterable[Any] | None) -> str:
    return "\n".join(str(v) for v in values or ())


def optional(value: str | None) -> str | None:
    """A blank optional field is null (as a client leaving it out of a PUT)."""
    value = (value or "").strip()
    return value or None


def choice(label: str, choices: Iterable[Any] | None = None, default: str | None = None) -> SelectField:
    """A drop-down whose choice the API's schema checks, not the form (without ``choices``, the
    view sets them per request: the types of a kind, a case's defendants)."""
    return SelectField(label, choices=None if choices is None else list(choices), default=default,
                       validate_choice=False)


def day(label: str, hint: str = "YYYY-MM-DD.") -> StringField:
    """A date typed as the API takes it."""
    return StringField(label, description=hint)


def source_links() -> TextAreaField:
    """The sources every record carries, one URL per line."""
    return TextAreaField("Source links", description="One URL per line.")


class NameRow(Form):
    name = StringField("Name")
    kind = choice("Kind", NAME_KINDS, default="aka")
    script = StringField("Script")
    lang = StringField("Language")

    def is_blank(self) -> bool:
        return not (self.name.data or "").strip()


class IdentifierRow(Form):
    scheme = StringField("Scheme")
    value = StringField("Value")
    country = StringField("Country")
    issued_on = StringField("Issued on")
    notes = StringField("Notes")

    def is_blank(self) -> bool:
        return not any((getattr(self, f).data or "").strip() for f in ("scheme", "value", "country", "issued_on", "notes"))


@dataclass(frozen=True)
class Stale:
    """Why a save was refused as made against an older read: who changed the record, when."""

    by: str | None
    at: datetime | None
    archived: bool


class PageForm(FlaskForm):
    """A form whose refused submission lists messages for the whole form (``problems``)
    beside the fields' own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []


class RecordForm(PageForm):
    """A record's form: its fields, the version it was read at (``version``, hidden) and, when
    a save was refused because the record changed meanwhile, who changed it (``stale``)."""

    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stale: Stale | None = None

    def read_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def texts(self, *names: str) -> dict[str, str]:
        """Required fields as typed, trimmed (a blank one stays "" for the schema to refuse)."""
        return {name: (getattr(self, name).data or "").strip() for name in names}

    def optionals(self, *names: str) -> dict[str, str | None]:
        """Optional fields, trimmed; blank ones null."""
        return {name: optional(getattr(self, name).data) for name in names}


def rows(field: FieldList) -> list[Any]:
    """The filled rows of a repeatable field (blank ones are spares)."""
    return [entry.form for entry in field.entries if not entry.form.is_blank()]


def add_spare_rows(*fields: FieldList, count: int = SPARE_ROWS) -> None:
    for field in fields:
        for _ in range(count):
            if len(field.entries) < MAX_ROWS:
                field.append_entry()


class EntityForm(RecordForm):
    name = StringField("Primary name")
    type = choice("Type")
    gender = choice("Gender", [SelectChoice("", "not stated"), *map(SelectChoice, GENDERS)])
    names = FieldList(FormField(NameRow), "Other names", max_entries=MAX_ROWS)
    identifiers = FieldList(FormField(IdentifierRow), "Identifiers", max_entries=MAX_ROWS)
    birth_dates = TextAreaField("Birth dates", description="One per line: YYYY, YYYY-MM or YYYY-MM-DD.")
    places_of_birth = TextAreaField("Places of birth", description="One per line.")
    nationalities = StringField("Nationalities", description="Country codes (ISO alpha-2), e.g. CN, RU.")
    countries = StringField("Countries", description="Country codes of residence, registration or activity.")
    addresses = TextAreaField("Addresses", description="One address per line.")
    notes = TextAreaField("Notes")
    source_urls = source_links()

    def payload(self) -> dict[str, Any]:
        """The API's body: every field the form shows (the others, such as ``properties``, stay
        as they are)."""
        return {
            "name": (self.name.data or "").strip(),
            "type": self.type.data,
            "gender": optional(self.gender.data),
            "names": [{"name": (r.name.data or "").strip(), "kind": r.kind.data, "script": optional(r.script.data),
                       "lang": optional(r.lang.data)} for r in rows(self.names)],
            "identifiers": [{"scheme": (r.scheme.data or "").strip(), "value": (r.value.data or "").strip(),
                             "country": optional(r.country.data), "issued_on": optional(r.issued_on.data),
                             "notes": optional(r.notes.data)} for r in rows(self.identifiers)],
            "birth_dates": lines(self.birth_dates.data),
            "places_of_birth": lines(self.places_of_birth.data),
            "nationalities": lines(self.nationalities.data, separator=CODES_SEPARATOR),
            "countries": lines(self.countries.data, separator=CODES_SEPARATOR),
            "addresses": lines(self.addresses.data),  # turned into address objects by the view
            "notes": optional(self.notes.data),
            "source_urls": lines(self.source_urls.data),
        }


class DesignationForm(RecordForm):
    authority = StringField("Authority", description="In capitals: OFAC, UK, EU, UN ...")
    programme = StringField("Programme", description="Programme or regime, e.g. CYBER2.")
    list_ref = StringField("List reference", description="The list's own reference (OFAC ent_num, UK ref ...).")
    legal_basis = StringField("Legal basis", description="e.g. E.O. 13694; S.I. 2020/597.")
    listed_on = day("Listed on")
    delisted_on = day("Delisted on", "YYYY-MM-DD; leave blank while listed.")
    measures = TextAreaField("Measures", description="One per line, e.g. asset freeze.")
    reasons = TextAreaField("Statement of reasons")
    source_urls = source_links()

    def payload(self) -> dict[str, Any]:
        return {
            **self.texts("authority"),
            **self.optionals("programme", "list_ref", "legal_basis", "listed_on", "delisted_on", "reasons"),
            "measures": lines(self.measures.data),
            "source_urls": lines(self.source_urls.data),
        }


class CaseForm(RecordForm):
    title = StringField("Title", description="e.g. United States v. Ni Gaobin et al.")
    court = StringField("Court")
    case_number = StringField("Case number")
    prosecuting_authority = StringField("Prosecuting authority")
    filed_on = day("Filed on")
    unsealed_on = day("Unsealed on")
    status = choice("Status", CASE_STATUSES, default="open")
    threat_group_id = choice("Threat group")
    summary = TextAreaField("Summary")
    source_urls = source_links()

    def payload(self) -> dict[str, Any]:
        return {
            **self.texts("title", "court"),
            **self.optionals("case_number", "prosecuting_authority", "filed_on", "unsealed_on", "summary",
                             "threat_group_id"),
            "status": self.status.data,
            "source_urls": lines(self.source_urls.data),
        }


class ChargeForm(RecordForm):
    entity_id = choice("Defendant")
    count_number = StringField("Count", description="The count's number in the indictment.")
    statute = StringField("Statute", description="e.g. 18 U.S.C. § 371.")
    description = TextAreaField("Description")
    status = choice("Status", CHARGE_STATUSES, default="pending")
    max_penalty = StringField("Maximum penalty")
    source_urls = source_links()

    def payload(self) -> dict[str, Any]:
        return {
            **self.texts("entity_id", "statute"),
            **self.optionals("count_number", "description", "max_penalty"),
            "status": self.status.data,
            "source_urls": lines(self.source_urls.data),
        }


class ArchiveForm(RecordForm):
    """The confirmation of an archive: only the version read."""

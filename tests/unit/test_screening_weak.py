"""Names that count only as a whole: weak aliases and names of one distinctive word.

A weak alias ("GIUSEPPE", "DON MARIO": OFAC's quoted remark aliases) or a listed name
of one word ("TOM", "ESSO LTD") says too little to pick out one person or company: it
counts only when the query is the whole of it, never as one word of a longer query,
and a weak alias match scores below a strong name's.
"""

from __future__ import annotations

import pytest

from service.screening import DEFAULT_THRESHOLD, ListedEntity, ListedName, ScreeningIndex, Subject
from service.screening.adjust import (
    WEAK_ALIAS_CAP,
    needs_whole_name,
    whole_name_score,
)
from service.screening.prepare import prepare, readings

PERSON, COMPANY = "person", "company"


def _entities() -> list[ListedEntity]:
    return [
        ListedEntity(1, PERSON, "SHAH, Mohammad Yusuf", [
            ListedName("SHAH, Mohammad Yusuf"),
            ListedName("YUSUF", "weak_alias"),
            ListedName("DON MARIO", "weak_alias"),
            ListedName("ABU MUHAMMAD AL-JAWLANI", "weak_alias"),
            ListedName("EL M", "weak_alias"),
        ]),
        ListedEntity(2, PERSON, "THOMPSON, Walter", [
            ListedName("THOMPSON, Walter"), ListedName("TOM", "aka"),
        ], identifiers=[("passport", "X1234567", None)]),
        ListedEntity(3, COMPANY, "AEISA", [ListedName("AEISA")]),
        ListedEntity(4, COMPANY, "ESSO", [ListedName("ESSO")]),
        ListedEntity(5, COMPANY, "FREGAT OOO", [ListedName("FREGAT OOO")]),
        # The same text given as a weak and as a strong alias counts as the strong one.
        ListedEntity(6, PERSON, "PETROV, Ivan", [
            ListedName("PETROV, Ivan"), ListedName("VANYA KRASNY", "weak_alias"),
            ListedName("VANYA KRASNY", "aka"),
        ]),
    ]


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return ScreeningIndex.build(_entities())


def _hits(index: ScreeningIndex, name: str, type_: str, **kw: object) -> dict[int, float]:
    """Entity id -> score of the results with match=True."""
    return {m.entity_id: m.score for m in index.screen(Subject(name, type_, **kw)) if m.match}  # type: ignore[arg-type]


def _best(index: ScreeningIndex, name: str, type_: str, entity_id: int):
    return next((m for m in index.screen(Subject(name, type_)) if m.entity_id == entity_id), None)


# --- weak aliases --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Yusuf Ismoilov", "Halima Yusuf", "Mario Sandoval", "Yusuf A."])
def test_weak_alias_is_not_one_word_of_a_longer_query(index, query):
    m = _best(index, query, PERSON, 1)
    assert m is None or m.explanation["matched_name_kind"] != "weak_alias"
    assert 1 not in _hits(index, query, PERSON)


@pytest.mark.parametrize("query", ["Yusuf", "Mario", "Don Mario", "Abu Muhammad al-Jawlani",
                                   "Muhammad al-Jawlani", "ABU MUHAMMAD AL JAWLANI"])
def test_weak_alias_matches_the_whole_query_below_a_strong_name(index, query):
    m = _best(index, query, PERSON, 1)
    assert m is not None and m.match
    assert m.explanation["matched_name_kind"] == "weak_alias"
    assert DEFAULT_THRESHOLD <= m.explanation["name_score"] <= WEAK_ALIAS_CAP


def test_weak_alias_with_an_extra_word_or_a_slip_does_not_count(index):
    assert 1 not in _hits(index, "Abu Muhammad al-Jawlani Smith", PERSON)
    # One slip in a seven-letter word: enough for a strong name, not for a weak alias,
    # which is met near exactly.
    assert 1 not in _hits(index, "Abu Muhammad al-Jawlany", PERSON)


def test_an_initial_of_a_weak_alias_is_met_only_by_an_initial(index):
    # "EL M" is an article and an initial: "Al-Muhandis" is no whole-name match of it. The
    # scan scores every listed name, as retrieval would if the query found "m".
    for m in index.screen_exhaustive(Subject("Abu Al-Muhandis", PERSON), threshold=0.1):
        assert m.entity_id != 1 or m.explanation["matched_name_kind"] != "weak_alias"
    assert 1 in _hits(index, "El M.", PERSON)


def test_strong_name_beats_its_weak_twin(index):
    m = _best(index, "Vanya Krasny", PERSON, 6)
    assert m is not None and m.explanation["matched_name_kind"] == "aka" and m.score == 1.0


def test_strong_name_outscores_the_weak_alias(index):
    m = _best(index, "Mohammad Yusuf Shah", PERSON, 1)
    assert m is not None and m.explanation["matched_name_kind"] == "primary" and m.score > WEAK_ALIAS_CAP


# --- names of one word -----------------------------------------------------------------------


def test_one_word_name_matches_itself(index):
    assert 2 in _hits(index, "Tom", PERSON)
    assert 4 in _hits(index, "Esso", COMPANY)
    assert 4 in _hits(index, "Esso Ltd", COMPANY)  # a legal form is not another word
    assert 5 in _hits(index, "Fregat", COMPANY)


@pytest.mark.parametrize("query", ["Tom Green", "Tom Thompson"])
def test_one_word_name_is_not_one_word_of_a_longer_query(index, query):
    assert 2 not in _hits(index, query, PERSON)


def test_one_word_company_needs_a_query_as_short_and_close(index):
    assert 3 not in _hits(index, "Esso", COMPANY)  # a sound-alike of a short word
    assert 4 not in _hits(index, "Esso Trading", COMPANY)  # another line of business
    assert 4 not in _hits(index, "Esso Petrov Holding", COMPANY)


@pytest.mark.parametrize("query", ["Fregt OOO", "Frgeat LLC", "FREGATT"])
def test_one_word_name_takes_one_typing_slip(index, query):
    assert 5 in _hits(index, query, COMPANY)


def test_part_match_stays_below_the_threshold_but_an_identifier_still_counts(index):
    m = _best(index, "Tom Green", PERSON, 2)
    assert m is None or not m.match
    lifted = _hits(index, "Tom Green", PERSON, identifiers=[("passport", "X1234567", None)])
    assert 2 in lifted


def test_removed_entity_leaves_no_whole_name_slot():
    idx = ScreeningIndex.build(_entities())
    idx.remove(1)
    assert not _hits(idx, "Yusuf", PERSON)
    idx.upsert(_entities()[0])
    assert 1 in _hits(idx, "Yusuf", PERSON)


# --- the rule itself -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "cls", "one_word"), [
    ("ESSO", "org", True),
    ("ESSO LTD", "org", True),
    ("JSC PPIT", "org", True),
    ("DR. IBRAHIM", "person", True),
    ("TOM J", "person", True),  # an initial is not a second name
    ("GLENDOR FINANCE S.A.", "org", False),  # a line of business is a word of the name
    ("LI, Peng", "person", False),
    ("KIM, Jong Un", "person", False),
])
def test_needs_whole_name_by_token_weights(name, cls, one_word):
    assert needs_whole_name("primary", prepare(name, cls)) is one_word
    assert needs_whole_name("weak_alias", prepare(name, cls)) is True


def test_whole_name_score_values():
    listed = prepare("GIUSEPPE", "person")
    query = readings("Giuseppe Greco", "person")
    pairs = [(query[0][0], listed[0], 1.0)]
    assert whole_name_score(0.83, pairs, query, listed, "weak_alias", DEFAULT_THRESHOLD) is None
    capped = whole_name_score(0.83, pairs, query, listed, "aka", DEFAULT_THRESHOLD)
    assert capped is not None and capped < DEFAULT_THRESHOLD
    alone = readings("Giuseppe", "person")
    assert whole_name_score(1.0, pairs, alone, listed, "weak_alias", DEFAULT_THRESHOLD) == WEAK_ALIAS_CAP
    assert whole_name_score(1.0, pairs, alone, listed, "aka", DEFAULT_THRESHOLD) == 1.0

"""ScreeningIndex: retrieval, type/date/country/identifier rules, explanations,
incremental updates."""

from __future__ import annotations

import multiprocessing

import pytest

from service.screening import (
    ALGORITHM,
    DEFAULT_THRESHOLD,
    ListedEntity,
    ListedName,
    ScreeningIndex,
    Subject,
)
from service.screening.parallel import screen_batches


def _entities() -> list[ListedEntity]:
    return [
        ListedEntity(
            entity_id=47814, type="person", name="ZHAO, Guangzong",
            names=[ListedName("ZHAO, Guangzong"), ListedName("赵光宗", "original_script")],
            birth_dates=["1985-05-09"], countries=["CN"],
            identifiers=[("passport", "E 1234-5678", "CN")], references=["OFAC:47814"],
        ),
        ListedEntity(
            entity_id=47818, type="person", name="NI, Gaobin",
            names=[ListedName("NI, Gaobin"), ListedName("倪高彬", "original_script")],
            birth_dates=["1985"], countries=["CN"], references=["OFAC:47818"],
        ),
        ListedEntity(
            entity_id=47800, type="company",
            name="WUHAN XIAORUIZHI SCIENCE AND TECHNOLOGY COMPANY, LIMITED",
            names=[
                ListedName("WUHAN XIAORUIZHI SCIENCE AND TECHNOLOGY COMPANY, LIMITED"),
                ListedName("Wuhan Xiaoruizhi Science and Technology Co., Ltd.", "aka"),
            ],
            countries=["CN"], references=["OFAC:47800"],
        ),
        ListedEntity(
            entity_id=1, type="person", name="Vladimir Vladimirovich PUTIN",
            names=[ListedName("Vladimir Vladimirovich PUTIN"), ListedName("Владимир Путин", "aka")],
            birth_dates=["1952-10-07"], countries=["RU"], references=["EU:1"],
        ),
        ListedEntity(
            entity_id=2, type="vessel", name="ZHAO GUANGZONG",
            names=[ListedName("ZHAO GUANGZONG")], references=["TEST:2"],
        ),
        ListedEntity(
            entity_id=3, type="person", name="Mohammed Abdulrahman AL-HASSAN",
            names=[ListedName("Mohammed Abdulrahman AL-HASSAN")], birth_dates=["1970"],
        ),
    ]


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return ScreeningIndex.build(_entities())


def _top(index: ScreeningIndex, subject: Subject) -> list[int]:
    return [m.entity_id for m in index.screen(subject) if m.match]


def test_len_counts_entities(index: ScreeningIndex) -> None:
    assert len(index) == 6


def test_chinese_query_finds_latin_listing(index: ScreeningIndex) -> None:
    matches = index.screen(Subject(name="赵光宗", type="person"))
    assert matches[0].entity_id == 47814 and matches[0].match


def test_word_order_and_references(index: ScreeningIndex) -> None:
    m = index.screen(Subject(name="Guangzong Zhao", type="person"))[0]
    assert m.entity_id == 47814 and m.match
    assert m.references == ["OFAC:47814"]
    assert m.name == "ZHAO, Guangzong"


def test_original_script_query_matches_original_script_name(index: ScreeningIndex) -> None:
    m = index.screen(Subject(name="倪高彬"))[0]
    assert m.entity_id == 47818 and m.score == 1.0
    assert m.explanation["matched_name_kind"] == "original_script"


def test_cyrillic_query(index: ScreeningIndex) -> None:
    assert _top(index, Subject(name="Путин Владимир", type="person"))[0] == 1


def test_merged_split_parts_in_index(index: ScreeningIndex) -> None:
    assert 3 in _top(index, Subject(name="Muhammad Abdul Rahman al Hassan", type="person"))


def test_company_true_positive(index: ScreeningIndex) -> None:
    subject = Subject(name="Wuhan Xiaoruizhi Science & Technology Co., Ltd.", type="company")
    assert _top(index, subject) == [47800]


def test_company_false_positives_on_legal_form(index: ScreeningIndex) -> None:
    for name in ("EMMA LLC", "CORP", "Science and Technology Company Limited"):
        assert _top(index, Subject(name=name, type="company")) == []


def test_type_rule(index: ScreeningIndex) -> None:
    # a person query never returns the vessel of the same name, and vice versa
    assert 2 not in [m.entity_id for m in index.screen(Subject(name="Zhao Guangzong", type="person"))]
    vessel = [m.entity_id for m in index.screen(Subject(name="Zhao Guangzong", type="vessel"))]
    assert vessel == [2]
    # unknown type: both
    both = {m.entity_id for m in index.screen(Subject(name="Zhao Guangzong"))}
    assert {2, 47814} <= both


def test_birth_date_contradiction_lowers_score(index: ScreeningIndex) -> None:
    base = index.screen(Subject(name="Guangzong Zhao", type="person"))[0].score
    bad = index.screen(Subject(name="Guangzong Zhao", type="person", birth_date="1960-01-01"))
    assert bad[0].score < base
    adj = bad[0].explanation["adjustments"][0]
    assert adj["feature"] == "birth_date" and adj["effect"] < 0


def test_partial_birth_dates_compatible(index: ScreeningIndex) -> None:
    for dob in ("1985", "1985-05", "1985-05-09"):
        m = index.screen(Subject(name="Guangzong Zhao", type="person", birth_date=dob))[0]
        adj = m.explanation["adjustments"][0]
        assert adj["feature"] == "birth_date" and adj["effect"] >= 0, dob
    # listed "1985" is compatible with a full query date
    m = index.screen(Subject(name="Gaobin Ni", type="person", birth_date="1985-11-12"))[0]
    assert m.explanation["adjustments"][0]["effect"] >= 0


def test_birth_date_alone_never_matches(index: ScreeningIndex) -> None:
    for name in ("Emma Watson", "Zhou Guangming", "Li Wei"):
        subject = Subject(name=name, type="person", birth_date="1985-05-09", country="CN")
        assert _top(index, subject) == [], name


def test_country_rule(index: ScreeningIndex) -> None:
    same = index.screen(Subject(name="Guangzong Zhao", type="person", country="CN"))[0]
    other = index.screen(Subject(name="Guangzong Zhao", type="person", country="FR"))[0]
    assert other.score < same.score
    feature = other.explanation["adjustments"][0]
    assert feature["feature"] == "country" and feature["effect"] < 0
    # names and alpha-3 codes are accepted too
    named = index.screen(Subject(name="Guangzong Zhao", type="person", country="China"))[0]
    assert named.score == same.score


def test_identifier_lifts_weak_name_match(index: ScreeningIndex) -> None:
    # A syllable more than the listed name: close, below the threshold. ("Zhao Guangzhou"
    # was the weak name here until a syllable two letters off became another character.)
    weak = Subject(name="Zhao Guangzong Wei", type="person")
    assert 47814 not in _top(index, weak)
    with_id = Subject(name="Zhao Guangzong Wei", type="person", identifiers=[("passport", "e12345678", "CN")])
    result = index.screen(with_id)
    assert result[0].entity_id == 47814 and result[0].match
    adjs = {a["feature"]: a for a in result[0].explanation["adjustments"]}
    assert adjs["identifier"]["effect"] > 0


def test_identifier_from_other_country_ignored(index: ScreeningIndex) -> None:
    s = Subject(name="Zhao Guangzhou", type="person", identifiers=[("passport", "E12345678", "US")])
    assert 47814 not in _top(index, s)


def test_explanation_shape(index: ScreeningIndex) -> None:
    m = index.screen(Subject(name="Zhao Guangzong", type="person", birth_date="1985", country="CN"))[0]
    e = m.explanation
    assert set(e) == {
        "algorithm", "algorithm_version", "query_name", "matched_name", "matched_name_kind",
        "name_score", "token_pairs", "unmatched", "adjustments", "final_score", "threshold",
    }
    assert e["algorithm"] == ALGORITHM
    assert e["matched_name"] == m.matched_name
    assert e["final_score"] == m.score
    assert e["threshold"] == DEFAULT_THRESHOLD
    assert all(set(a) == {"feature", "effect", "detail"} for a in e["adjustments"])
    assert [a["feature"] for a in e["adjustments"]] == ["birth_date", "country"]
    assert all(len(p) == 3 for p in e["token_pairs"])
    assert e["unmatched"] == []  # every word of both names is paired


def test_explanation_lists_unmatched_words_with_their_cost(index: ScreeningIndex) -> None:
    m = index.screen(Subject(name="Guangzong Zhao Wenbo", type="person"), threshold=0.5)[0]
    unmatched = m.explanation["unmatched"]
    assert [(u["side"], u["word"]) for u in unmatched] == [("query", "wenbo")]
    assert unmatched[0]["weight"] > 0


def test_ranking_limit_and_floor(index: ScreeningIndex) -> None:
    res = index.screen(Subject(name="Zhao Guangzong"), limit=1)
    assert len(res) == 1
    res = index.screen(Subject(name="Zhao Guangzong"), threshold=0.9)
    assert all(m.score >= 0.9 * 0.8 for m in res)
    assert [m.score for m in res] == sorted((m.score for m in res), reverse=True)


def test_screen_many_same_as_loop(index: ScreeningIndex) -> None:
    subjects = [Subject(name=n) for n in ("赵光宗", "EMMA LLC", "Vladimir Putin")]
    assert index.screen_many(subjects) == [index.screen(s) for s in subjects]


def test_screen_many_parallel_same_as_loop(index: ScreeningIndex) -> None:
    subjects = [Subject(name=n) for n in ("赵光宗", "EMMA LLC", "Vladimir Putin")] * 200
    assert index.screen_many(subjects, workers=2) == [index.screen(s) for s in subjects]


def test_an_identifier_finds_its_entity_only_while_the_entity_carries_it() -> None:
    idx = ScreeningIndex.build(_entities())
    assert idx._identified("e12345678") == [47814]
    assert idx._identified("E12345679") == []
    zhao = _entities()[0]
    zhao.identifiers = [("passport", "G 7777", "CN")]
    idx.upsert(zhao)
    # The old value stays in the hash table (nothing is deleted there) and is dropped on reading.
    assert idx._identified("E12345678") == []
    assert idx._identified("G7777") == [47814]
    idx.remove(47814)
    assert idx._identified("G7777") == []
    found = idx.screen(Subject(name="Zhao Guangzong", identifiers=[("passport", "G7777", "CN")]))
    assert 47814 not in [m.entity_id for m in found]


def test_the_index_keeps_no_listed_entity_and_holds_repeated_values_once() -> None:
    import gc
    import weakref

    entities = _entities()
    refs = [weakref.ref(e) for e in entities]
    idx = ScreeningIndex.build(entities)
    del entities
    gc.collect()
    assert all(r() is None for r in refs)  # what a match needs was copied out of them
    zhao, ni = idx._entities.get(47814), idx._entities.get(47818)
    assert zhao is not None and ni is not None
    assert zhao.countries == frozenset({"CN"}) and zhao.countries is ni.countries
    two, three = idx._entities.get(2), idx._entities.get(3)
    assert two is not None and three is not None
    assert two.birth_dates == () and two.identifiers == three.identifiers == ()
    # What a match reports is unchanged by it.
    m = idx.screen(Subject(name="Zhao Guangzong", type="person", birth_date="1985-05-09"))[0]
    assert (m.entity_id, m.name, m.references) == (47814, "ZHAO, Guangzong", ["OFAC:47814"])
    assert {a["feature"] for a in m.explanation["adjustments"]} == {"birth_date"}


def test_incremental_upsert_and_remove() -> None:
    index = ScreeningIndex.build(_entities())
    new = ListedEntity(entity_id=99, type="person", name="Ivan Petrovich SIDOROV",
                       names=[ListedName("Ivan Petrovich SIDOROV")])
    index.upsert(new)
    assert len(index) == 7
    assert _top(index, Subject(name="Ivan Sidorov", type="person")) == [99]
    # replace its names
    index.upsert(ListedEntity(entity_id=99, type="person", name="Pyotr KUZNETSOV",
                              names=[ListedName("Pyotr KUZNETSOV")]))
    assert _top(index, Subject(name="Ivan Sidorov", type="person")) == []
    assert _top(index, Subject(name="Pyotr Kuznetsov", type="person")) == [99]
    assert index.remove(99) is True
    assert index.remove(99) is False
    assert _top(index, Subject(name="Pyotr Kuznetsov", type="person")) == []
    assert len(index) == 6


def test_common_tokens_do_not_swamp_retrieval() -> None:
    ents = [
        ListedEntity(entity_id=i, type="person", name=f"Mohammed Al {w}",
                     names=[ListedName(f"Mohammed Al {w}")])
        for i, w in enumerate(f"Name{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}{i}" for i in range(5000))
    ]
    ents.append(ListedEntity(entity_id=10_000, type="person", name="Mohammed Al Zawahiri",
                             names=[ListedName("Mohammed Al Zawahiri")]))
    index = ScreeningIndex.build(ents)
    assert index.screen(Subject(name="Muhammad al-Zawahiry", type="person"))[0].entity_id == 10_000


def test_japanese_reading_of_listed_han_name() -> None:
    index = ScreeningIndex.build([
        ListedEntity(entity_id=7, type="person", name="YAMADA, Taro",
                     names=[ListedName("山田太郎", "original_script")]),
        ListedEntity(entity_id=8, type="person", name="高市早苗", names=[ListedName("高市早苗")]),
    ])
    m = index.screen(Subject(name="Taro Yamada", type="person"))[0]
    assert m.entity_id == 7 and m.match
    # the reading is reported under the listed name
    assert m.matched_name in ("YAMADA, Taro", "山田太郎")
    # a Han query does not match a Han name through their shared readings
    assert 8 not in _top(index, Subject(name="高石早苗", type="person"))
    assert _top(index, Subject(name="高市早苗", type="person")) == [8]


def test_screen_batches_keeps_order_and_tags_on_processes(index: ScreeningIndex) -> None:
    names = ["赵光宗", "EMMA LLC", "Vladimir Putin", "Jane Roe", "Guangzong Zhao"]
    batches = [(f"b{i}", [Subject(name=names[(i + k) % 5]) for k in range(i % 4)]) for i in range(40)]
    sequential = list(screen_batches(index, batches))
    parallel = list(screen_batches(index, iter(batches), processes=2))
    assert [tag for tag, _ in parallel] == [f"b{i}" for i in range(40)]
    assert parallel == sequential
    assert [len(r) for _, r in parallel] == [i % 4 for i in range(40)]
    assert any(m for _, r in parallel for m in r)


def test_closing_screen_batches_early_stops_its_processes(index: ScreeningIndex) -> None:
    batches = ((i, [Subject(name="Vladimir Putin")] * 20) for i in range(10_000))
    results = screen_batches(index, batches, processes=2)
    assert next(results)[0] == 0
    assert len(multiprocessing.active_children()) >= 2
    results.close()
    assert multiprocessing.active_children() == []


def test_wade_giles_query_retrieves_the_pinyin_listing_and_back() -> None:
    index = ScreeningIndex.build([
        ListedEntity(entity_id=1, type="person", name="MAO, Zedong", names=[]),
        ListedEntity(entity_id=2, type="person", name="HSI Chin-p'ing", names=[]),
        ListedEntity(entity_id=3, type="person", name="MAO, Anying", names=[]),
    ])
    assert [m.entity_id for m in index.screen(Subject(name="Mao Tse-tung")) if m.match] == [1]
    assert [m.entity_id for m in index.screen(Subject(name="Xi Jinping")) if m.match] == [2]


def test_one_edit_in_a_three_letter_word_is_retrieved() -> None:
    import itertools

    codes = ["".join(p) for p in itertools.product("ABCDEFHJK", repeat=3)][:400]
    ents = [ListedEntity(entity_id=i, type="aircraft", name=f"EP-{c}", names=[]) for i, c in enumerate(codes)]
    ents.append(ListedEntity(entity_id=999, type="aircraft", name="EP-GOM", names=[]))
    index = ScreeningIndex.build(ents)
    assert index.screen(Subject(name="EP-GOL"))[0].entity_id == 999


def test_a_field_listing_alternatives_is_screened_as_each() -> None:
    idx = ScreeningIndex.build([ListedEntity(entity_id=9, type="person", name="GHUL, Hassan",
                                             names=[ListedName("GHUL, Hassan")])])
    whole = Subject(name="حسن غول (Hassan Ghul; Hasan Gul)", type="person")
    found = idx.screen(whole)
    assert found and found[0].entity_id == 9 and found[0].match
    # The explanation names the alternative that matched.
    assert found[0].explanation["query_name"] in ("حسن غول", "Hassan Ghul")


def test_an_entity_holds_its_name_once_and_compares_identifiers_as_listed() -> None:
    # Two equal strings, not one: as read from two tables of the database.
    name = "".join(["Ivan Petrovich ", "SIDOROV"])
    entity = ListedEntity(entity_id=99, type="person", name=name,
                          names=[ListedName("Ivan Petrovich SIDOROV"), ListedName("Vanya Sidorov", "aka")],
                          identifiers=[("passport", "AB-12 345", "RU"), ("inn", "7701234567", None)])
    idx = ScreeningIndex.build([*_entities(), entity])
    info = idx._entities.get(99)
    assert info is not None
    slots = list(info.name_ids)
    assert [idx._slot_names[n].name for n in slots][:2] == ["Ivan Petrovich SIDOROV", "Vanya Sidorov"]
    assert info.name == idx._slot_names[slots[0]].name == name
    assert info.identifiers == (("passport", "AB-12 345", "RU"), ("inn", "7701234567", None))
    # Identifiers are kept as listed and normalised when compared: found by any spelling of the
    # number, with the listed spelling in the explanation; a number of another country is not it.
    m = idx.screen(Subject(name="Ivan Sidorov", identifiers=[("passport", "ab12345", "RU")]))[0]
    adjustment = next(a for a in m.explanation["adjustments"] if a["feature"] == "identifier")
    assert m.entity_id == 99 and adjustment["effect"] > 0 and "AB-12 345" in adjustment["detail"]
    other = idx.screen(Subject(name="Ivan Sidorov", identifiers=[("passport", "AB12345", "UA")]))[0]
    assert "identifier" not in {a["feature"] for a in other.explanation["adjustments"]}
    assert idx._identified("7701234567") == [99] and idx._identified("77012345") == []


def test_screening_makes_no_reference_cycles() -> None:
    """The forked screening processes run without the cyclic collector between batches
    (parallel._child_main): a query must leave nothing that only the collector frees."""
    import gc

    from service.screening.collector import drop_query_caches

    idx = ScreeningIndex.build(_entities())
    queries = ["Zhao Guangzong", "Chao Kuang-tsung", "赵光宗", "Ni Gaobin", "Hsi Chin-ping", "Владимир Путин",
               "Wuhan Xiaoruizhi Sci & Tech Co Ltd", "Vladimir Poutine", "Mohammed al-Rashid", "Kim Jong Un",
               "Tanaka Hiroshi", "AlisherUsmanov", "محمد علی", "ZHAO GUANGZONG LTD"]
    for name in queries:  # the tables loaded on first use (their loaders may make cycles, once)
        idx.screen(Subject(name=name))
    drop_query_caches()  # so each query does its work again, not a cache lookup
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for name in queries:
            idx.screen(Subject(name=name))
            idx.screen(Subject(name=name, type="company"))
        found = gc.collect()
        kinds = sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert found == 0, f"screening left cyclic garbage: {kinds}"

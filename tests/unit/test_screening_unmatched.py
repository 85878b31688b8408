"""Scoring charges for what the aligned words leave unexplained (score.py),
and romanised Chinese/Korean syllables (chinese.py, syllables.syllable_sim)."""

from __future__ import annotations

from service.screening import (
    DEFAULT_THRESHOLD,
    ListedEntity,
    ListedName,
    ScreeningIndex,
    Subject,
    score_pair,
)
from service.screening.adjust import unmatched_words
from service.screening.chinese import is_syllable, korean_key, same_syllable
from service.screening.prepare import prepare
from service.screening.score import compare_prepared


def test_one_shared_word_does_not_explain_a_longer_query() -> None:
    # The listed name explains one word of two: the query's other word costs.
    assert score_pair("Mahmud Limazah", "MAHMUD", "Person") < DEFAULT_THRESHOLD
    assert score_pair("Georges Dos Santos", "SANTOS", "Person") < DEFAULT_THRESHOLD


def test_abjad_query_with_one_aligned_word_is_not_a_match() -> None:
    assert score_pair("یاسمین کریمی", "Karume", "Person") < DEFAULT_THRESHOLD


def test_two_shared_words_allow_more_in_the_query() -> None:
    # Two distinctive words in common are rarely a coincidence.
    assert (
        score_pair("ANJEM IFTIKHAR CHOUDARY MAHMOOD", "ANJEM CHOUDARY", "Person")
        >= DEFAULT_THRESHOLD
    )


def test_dropped_middle_name_still_matches() -> None:
    # Listed words the query leaves out are a missing middle name, not a conflict.
    assert score_pair("Ali Mehdi", "MEHDI, Ali Ghadeer", "Person") >= DEFAULT_THRESHOLD
    assert score_pair("Seyed Shariat", "SHARIAT, Seyed Hossein", "Person") >= DEFAULT_THRESHOLD


def test_initial_does_not_stand_for_another_surname() -> None:
    # "G." may be Olga's middle initial; it does not make "Golodets" a "Stepanova".
    assert score_pair("Olga Golodets", "STEPANOVA, Olga G.", "Person") < DEFAULT_THRESHOLD
    assert (
        score_pair("Olga G. Stepanova", "STEPANOVA, Olga Gennadyevna", "Person")
        >= DEFAULT_THRESHOLD
    )
    assert score_pair("J. Smith", "John Michael Smith", "Person") >= DEFAULT_THRESHOLD


def test_missing_syllable_of_a_syllabic_name_costs() -> None:
    # No syllable of "KANG, Song Nam" is a droppable middle name.
    assert score_pair("Gang Song", "KANG, Song Nam", "Person") < DEFAULT_THRESHOLD
    assert score_pair("Liang Wei", "WEI, Hsueh Lung", "Person") < DEFAULT_THRESHOLD
    assert score_pair("Kyongnam Kim", "KIM, Kyong Nam", "Person") >= DEFAULT_THRESHOLD


def test_different_syllables_pair_at_most_at_the_floor() -> None:
    _, pairs = compare_prepared(prepare("Jin Wei Hua", "person"), prepare("Lin Wei Hua", "person"))
    sims = {(a.text, b.text): s for a, b, s in pairs}
    assert sims[("jin", "lin")] <= 0.7
    # A Wade-Giles / pinyin pair keeps its similarity.
    assert score_pair("Hsueh Lung Wei", "Xue Long Wei", "Person") >= DEFAULT_THRESHOLD


def test_syllables_and_known_spellings() -> None:
    assert is_syllable("kang") and is_syllable("gyong") and is_syllable("hsueh")
    assert not is_syllable("omar") and not is_syllable("mehdi")
    assert same_syllable("hsueh", "xue")  # Wade-Giles / pinyin
    assert same_syllable("gyeong", "kyong") and korean_key("gim") == korean_key("kim")
    assert not same_syllable("jin", "lin")
    assert not same_syllable("liang", "lung")
    assert not same_syllable("suk", "su")


def test_unmatched_words_are_listed_with_their_weight() -> None:
    q, c = prepare("Olga Golodets", "person"), prepare("STEPANOVA, Olga G.", "person")
    _, pairs = compare_prepared(q, c)
    words = unmatched_words(pairs, q, c)
    assert {"side": "listed", "word": "stepanova", "weight": 1.0} in words
    assert all(w["side"] in ("query", "listed") for w in words)


def test_syllables_read_from_hangul_or_han_do_not_pair_with_other_syllables() -> None:
    # Kim Jong Sun is not Kim Jong Un: a syllable read from the script has no typo in it.
    assert score_pair("김정순", "KIM, Jong Un", "Person") < DEFAULT_THRESHOLD
    assert score_pair("김영숙", "KIM, Yong Su", "Person") < DEFAULT_THRESHOLD
    assert score_pair("김정은", "KIM, Jong Un", "Person") >= DEFAULT_THRESHOLD
    # Typed in Latin letters, one syllable off may be a slip: it still pairs.
    assert score_pair("SON YONG HYOK", "SON JONG HYOK", "Person") >= DEFAULT_THRESHOLD


def test_joined_syllables_from_the_script_must_spell_the_listed_word() -> None:
    assert score_pair("赵光宗", "ZHAO, Guangzong", "Person") >= DEFAULT_THRESHOLD
    # "ji" + "yong" only sounds like "Jing".
    assert score_pair("송지영", "SONG, Jing", "Person") < DEFAULT_THRESHOLD


def test_syllables_read_from_han_are_never_particles() -> None:
    # 本 reads "ben", which is no "ben" (son of) in a Japanese or Chinese name.
    assert all(t.kind == "n" for t in prepare("岡本 結衣", "person"))


def test_words_joined_or_abbreviated_into_a_pair_are_not_unmatched() -> None:
    # 赵光宗 reads "zhao guang zong"; "guang" + "zong" pair joined with "guangzong", and the
    # explanation must not call them unexplained. Nor "united states" read as "us".
    for query, listed, type_ in (("赵光宗", "ZHAO, Guangzong", "person"),
                                 ("U.S. Department of State", "UNITED STATES DEPARTMENT OF STATE", "company")):
        index = ScreeningIndex.build([ListedEntity(1, type_, listed, [ListedName(listed)])])
        m = index.screen(Subject(query, type_))[0]
        assert m.score == 1.0 and m.explanation["unmatched"] == [], (query, m.explanation["unmatched"])
    # A word left over is still listed.
    q, c = prepare("Guang Zong Zhao Wei", "person"), prepare("ZHAO, Guangzong", "person")
    _, pairs = compare_prepared(q, c)
    assert [w["word"] for w in unmatched_words(pairs, q, c)] == ["wei"]


def test_words_paired_from_another_reading_are_not_unmatched() -> None:
    # The pairs come from the Persian reading ("sn" + "llh" joined as Sanaullah, ث read "s"):
    # the explanation lists the words of that reading, not of the Arabic one ("thn").
    listed = "GHAFARI, Sanaullah"
    index = ScreeningIndex.build([ListedEntity(1, "person", listed, [ListedName(listed)])])
    m = index.screen(Subject("ثناء اللہ غفاری", "person"))[0]
    assert m.match and m.explanation["unmatched"] == [], m.explanation


def test_two_loose_words_without_an_anchor_are_not_a_match() -> None:
    # Both words only approximate and one of them loosely (below FIRM_SIM): another person.
    assert score_pair("Oleg Marinov", "MARKOV, Oleh") < DEFAULT_THRESHOLD
    assert score_pair("Andriy Melnik", "MELNIKOV, Andrei") < DEFAULT_THRESHOLD
    # One word matched exactly anchors the other's variant spelling.
    assert score_pair("Aleksei Bortnikov", "BORTNIKOV, Oleksiy") >= DEFAULT_THRESHOLD
    # Two variant spellings that are each close stay a match (transliterations).
    assert score_pair("Hasan Rohani", "Hassan Rouhani") >= DEFAULT_THRESHOLD
    assert score_pair("Moammar Qaddafi", "Muammar Gaddafi") >= DEFAULT_THRESHOLD


def test_two_rewrites_on_top_of_each_other() -> None:
    # A join and an acronym ("jin" + "long"; "hong kong" read "HK"), joins on both sides
    # ("abd" + "llh" in the query, "al" + "harbi" in the list): each alone leaves words over.
    index = ScreeningIndex.build([
        ListedEntity(1, "company", "HK JINLONG TRADING LIMITED", []),
        ListedEntity(2, "person", "AL-HARBI, Salim Abdallah", []),
        ListedEntity(3, "person", "ALTIKRITI, Abdulrahman", []),
    ])
    for query, type_, entity in (("Hong Kong Jin Long Trading Co Ltd", "company", 1),
                                 ("سالم عبد الله الحربي", "person", 2),
                                 ("Abd Al Rahman Al Tikriti", "person", 3)):
        found = index.screen(Subject(query, type_))
        assert found and found[0].entity_id == entity and found[0].score >= 0.9, (query, found)


def test_letters_for_words_alone_are_not_a_match() -> None:
    # A name matched only by letters standing for words: initials, or a company whose name
    # is letters ("B S COMPANY") against any word of that letter.
    assert score_pair("Borromini s.r.l.", "B S COMPANY", "company") < DEFAULT_THRESHOLD
    assert score_pair("J. S.", "SMITH, John", "person") < DEFAULT_THRESHOLD
    # With a full word matched too, or the same letters, they stay a match.
    assert score_pair("J. Smith", "SMITH, John", "person") >= DEFAULT_THRESHOLD
    assert score_pair("B S Company", "B.S. COMPANY", "company") >= DEFAULT_THRESHOLD


def test_a_loose_pair_beside_unmatched_words_is_weak_evidence() -> None:
    # A word paired only loosely (another name one or two letters off) while whole words
    # are left over: two signs of another person ("Popov" is not "POTAPOV", "Azari" not
    # "JAFARI" with "Jahromi" left over).
    assert score_pair("Aleksandr Popov", "POTAPOV, Aleksandr Valeryevich", "Person") < DEFAULT_THRESHOLD
    assert score_pair("Mohamad Javad Azari Jahromi", "JAFARI, Mohammad Javad", "Person") < DEFAULT_THRESHOLD
    assert score_pair("Hasan Al-shaban", "AL-HASAN, Suhayl Hasan", "Person") < DEFAULT_THRESHOLD
    # Either sign alone still matches: a loose pair with nothing left over, a word left
    # over with every pair firm.
    assert score_pair("Aleksandr Potapoff", "POTAPOV, Aleksandr", "Person") >= DEFAULT_THRESHOLD
    assert score_pair("Aleksandr Potapov", "POTAPOV, Aleksandr Valeryevich", "Person") >= DEFAULT_THRESHOLD

"""Spelling variants retrieval must find and the scorer must weigh: words two edits
apart whose phonetic keys are one edit apart, nicknames, nominative endings, digits
typed for letters, Ukrainian/Russian and Czech/English romanisations of Cyrillic, and
Chinese given names written as one word that differ in a syllable."""

from __future__ import annotations

import pytest

from service.screening import ListedEntity, ListedName, ScreeningIndex, Subject
from service.screening.keys import phonetic_key, slavic_key
from service.screening.score import score_pair
from service.screening.syllables import SYLLABLE_SLIP_SIM, syllable_sim
from service.screening.tokens import (
    KEY_EQUAL_SIM,
    KEY_WEAK_SIM,
    Tok,
    token_sim,
)
from service.screening.types import DEFAULT_THRESHOLD
from service.screening.vocabulary import Vocabulary

FOUND = [
    # Two edits in six letters, keys one edit apart ("markar" / "markal").
    ("Angela Merkur", "Angela Merkel"),
    ("Mark Cooney", "Mark Carney"),
    # A nickname the scorer knows.
    ("Ted Doe", "Theodore Doe"),
    # Nominative endings: the stem's neighbours are looked up too.
    ("Sergejs Lavrovs", "Sergey Viktorovich LAVROV"),
    # Digits typed for letters.
    ("Ig0r Sech1n", "Igor Sechin"),
    # Ukrainian national romanisation against a Russian one; Czech "c" for "ts".
    ("Serhiy Kovalenko", "KOVALENKO, Sergei"),
    ("Olena Careva", "TSAREVA, Olena"),
]


@pytest.mark.parametrize(("query", "listed"), FOUND)
def test_index_finds_spelling_variants_the_scorer_accepts(query: str, listed: str) -> None:
    assert score_pair(query, listed, "person") >= DEFAULT_THRESHOLD
    # Other names sharing the first word, so that retrieval has to choose.
    others = [ListedEntity(i, "person", f"{listed.split()[0]} Zzyzx{i}", [ListedName(f"{listed.split()[0]} Zzyzx{i}")])
              for i in range(2, 6)]
    index = ScreeningIndex.build([ListedEntity(1, "person", listed, [ListedName(listed)]), *others])
    found = index.screen(Subject(query, "person"))
    assert found and found[0].entity_id == 1 and found[0].match, (query, listed)


def test_vocabulary_reaches_keys_one_edit_apart_both_ways() -> None:
    vocab = Vocabulary()
    tid = vocab.token_id("merkel")
    assert phonetic_key("merkur") != phonetic_key("merkel")
    assert tid in dict(vocab.matches(Tok("merkur", 1.0, "n", False)))
    # And a listed key one letter shorter than the query's ("carney" -> "cooney").
    vocab2 = Vocabulary()
    tid2 = vocab2.token_id("cooney")
    assert tid2 in dict(vocab2.matches(Tok("carney", 1.0, "n", False)))


@pytest.mark.parametrize(
    ("a", "b"),
    [("serhiy", "sergei"), ("hryhoriy", "grigory"), ("oleh", "oleg"), ("careva", "tsareva"), ("cvetkov", "tsvetkov"),
     ("jelena", "yelena"), ("jakov", "yakov")],
)
def test_slavic_key_folds_other_romanisations_of_cyrillic(a: str, b: str) -> None:
    assert slavic_key(a) == slavic_key(b)
    assert token_sim(a, b) >= KEY_EQUAL_SIM


def test_slavic_key_keeps_digraphs_and_english_c() -> None:
    # "kh" (Х) is not Ukrainian "h" (Г); "ch" and "ck" are not Slavic "c".
    assert slavic_key("khan") != slavic_key("gan")
    assert slavic_key("chekov") == phonetic_key("chekov")
    # The phonetic key itself is unchanged: English "c" is still "k".
    assert phonetic_key("careva") == phonetic_key("kareva")
    # "j" reads "y" only where it opens the word: "shahji" is not "shehu".
    assert slavic_key("shahji") != slavic_key("shehu")
    # An equal Slavic key of one consonant says nothing where the spellings differ.
    assert slavic_key("jairaj") == slavic_key("yury") and token_sim("jairaj", "yury") < KEY_WEAK_SIM
    assert score_pair("Juri Gennadievych Zherebtsov", "ZHEREBTSOV, Yuriy Gennadievych", "person") >= DEFAULT_THRESHOLD


def test_chinese_given_names_differing_in_a_syllable_are_other_names() -> None:
    a, b = Tok("guangming", 1.0, "n", False), Tok("guangzong", 1.0, "n", False)
    assert syllable_sim(a, b, token_sim(a.text, b.text)) <= SYLLABLE_SLIP_SIM
    assert score_pair("Zhou Guangming", "ZHAO, Guangzong", "person") < DEFAULT_THRESHOLD
    # The same name written in syllables, joined or in Wade-Giles still matches.
    assert score_pair("Zhao Guangzong", "ZHAO, Guang Zong", "person") >= DEFAULT_THRESHOLD
    assert score_pair("Hsi Chin-ping", "Xi Jinping", "person") >= DEFAULT_THRESHOLD
    # A Western name is not read as Chinese syllables unless a one-syllable word stands beside it.
    assert score_pair("Angela Merkur", "Angela Merkel", "person") >= DEFAULT_THRESHOLD


def test_a_given_name_of_a_two_part_chinese_name_a_syllable_off_is_another_name() -> None:
    # Surname and a given name written as one word: the surname is all that vouches for a
    # typing slip, so a given name two letters off has another character in it.
    assert score_pair("Xiuying Liu", "LIU, Cuiying", "person") < DEFAULT_THRESHOLD
    assert score_pair("Zhao Guangming", "ZHAO, Guangzong", "person") < DEFAULT_THRESHOLD
    # One letter off is still a slip, and known spellings of a syllable still match.
    assert score_pair("Xiaoing Liu", "LIU, Xiaobing", "person") >= DEFAULT_THRESHOLD
    assert score_pair("Xiuyin Liu", "LIU, Xiuying", "person") >= DEFAULT_THRESHOLD
    assert score_pair("Chao Kuangtsung", "ZHAO, Guangzong", "person") >= DEFAULT_THRESHOLD


def test_an_arabic_script_word_of_two_names_finds_both() -> None:
    # Persian writes "Mohammad Ali" as one word, "محمدعلی" (read "mhmdly"): the index finds
    # the listed name that writes the two apart, not only one that writes them joined.
    listed = [
        ListedEntity(1, "person", "JAFARI, Mohammad Ali", [ListedName("JAFARI, Mohammad Ali", "primary")]),
        ListedEntity(2, "person", "MOHAMMADALI, Reza", [ListedName("MOHAMMADALI, Reza", "primary")]),
        ListedEntity(3, "person", "MUH, Medal", [ListedName("MUH, Medal", "primary")]),
    ]
    index = ScreeningIndex.build(listed)
    found = index.screen(Subject(name="محمدعلی جعفری", type="person"))
    assert [m.entity_id for m in found if m.match] == [1]


def test_an_abjad_skeleton_one_consonant_off_is_looked_up() -> None:
    # "hshm" (هاشم) pairs with "hishan" in the scorer (skeletons "hshm"/"hshn"): the lookup
    # finds it too.
    vocab = Vocabulary()
    for word in ("hishan", "abd"):
        vocab.token_id(word)
    assert "hishan" in {vocab.texts[t] for t, _ in vocab.matches(Tok("hshm", 1.0, "n", True))}
    # "عبد ال" read as one word ("abdl"), and the Latin "Abdul", are also the "abd" of
    # "Abd al-Latif".
    assert "abd" in {vocab.texts[t] for t, _ in vocab.matches(Tok("abdl", 1.0, "n", True))}
    assert "abd" in {vocab.texts[t] for t, _ in vocab.matches(Tok("abdul", 0.5, "n", False))}


def test_gaelic_prefixes_are_part_of_the_name() -> None:
    # "McKesson" is one word, and two names sharing "Mc" are compared on the rest.
    assert score_pair("McKenton Corporation", "McKesson Corporation", "company") < DEFAULT_THRESHOLD
    assert score_pair("McDonald", "MacDonald", "person") >= DEFAULT_THRESHOLD
    assert score_pair("John McCain", "MCCAIN, John", "person") == 1.0


def test_east_slavic_cognate_given_names() -> None:
    # Ukrainian and Belarusian given names are other words than the Russian ones, not other
    # spellings: Mykola is Nikolay, Uladzimir Vladimir, Olena Yelena, Hryhoriy Grigoriy.
    for query, listed in (("Mykola Ivanovich Sydorenko", "SYDORENKO, Nikolay Ivanovich"),
                          ("Uladzimir Karpovich", "KARPOVICH, Vladimir"),
                          ("Olena Petrenko", "PETRENKO, Yelena"),
                          ("Hryhoriy Surkis", "SURKIS, Grigoriy")):
        index = ScreeningIndex.build([ListedEntity(1, "person", listed, [])])
        found = index.screen(Subject(query, "person"))
        assert found and found[0].match, (query, listed)
    # A cognate is no licence for another given name.
    assert score_pair("Mykola Petrenko", "PETRENKO, Vladimir", "person") < DEFAULT_THRESHOLD

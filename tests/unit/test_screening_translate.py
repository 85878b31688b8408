"""Organisation names in another language read with their common words in English
(translate.py): Cyrillic stems with their inflections, Arabic words behind the article or a
joined particle, Han words found in unspaced text, borrowed Cyrillic suffixes."""

from __future__ import annotations

import pytest

from service.screening import ListedEntity, ListedName, ScreeningIndex, Subject
from service.screening.prepare import readings
from service.screening.score import score_pair
from service.screening.translate import MOST_READINGS, translated_readings
from service.screening.types import DEFAULT_THRESHOLD


@pytest.mark.parametrize(("name", "reading"), [
    # Inflected Russian and Ukrainian adjectives and nouns; the proper name stays.
    ("Международного банка Кедр", "international bank Кедр"),
    ("Міжнародна судноплавна група", "international судноплавна group"),
    # Arabic: the article, "li-l" and "wa-" joined to the word; tashkeel and hamza forms.
    ("شركة النور للتجارة العامة", "company النور trading general"),
    ("والجماعة الإسلاميّة", "group islamic"),
    # Han: the longest known word at each place, legal forms included.
    ("黄河电子科技有限公司", "黄河 electronics technology co ltd"),
    # Borrowed words: -ический is -ic, -ция and -ционный are -tion.
    ("Арктическая навигационная служба", "arktic navigation служба"),
])
def test_translated_reading(name: str, reading: str) -> None:
    assert translated_readings(name)[0] == reading


@pytest.mark.parametrize("name", [
    "Sberbank Trading Group",  # Latin text is compared as written
    "Новиков",  # a stem ("нов", new) with a remainder that is no inflection ending
    "Сталина",
    "ناصر",
])
def test_no_translation(name: str) -> None:
    assert translated_readings(name) == ()


def test_only_organisations_are_translated() -> None:
    # Romanised and translated (translating only the generic "банк" reads as romanised).
    assert len(readings("Военный банк Новиков", "org")) == 2
    assert len(readings("Военный банк Новиков", "person")) == 1


def test_a_word_with_several_renderings_gives_a_reading_for_each() -> None:
    # "المقاتلة" is rendered fighting, combat or combatant; "завод" plant, works or factory.
    assert translated_readings("الجماعة الليبية المقاتلة")[:3] == (
        "group libyan fighting", "group libyan combat", "group libyan combatant")
    # Other renderings of one word first, then of two; bounded in number.
    got = translated_readings("Авиационный ремонтный завод")
    assert got[:3] == ("aviation repair plant", "aviation repair works", "aviation repair factory")
    assert "aircraft repair plant" in got and len(got) <= MOST_READINGS + 1


def test_a_reading_translates_only_the_generic_words() -> None:
    # "الخليج" (gulf) is often the proper part of a name, which a list transliterates.
    assert translated_readings("شركة بنك الخليج المحدودة") == (
        "company bank gulf limited", "company bank الخليج limited")


@pytest.mark.parametrize(("query", "listed"), [
    ("Международный банк Кедр", "KEDR INTERNATIONAL BANK"),
    ("شركة النور للتجارة العامة", "AL NOOR GENERAL TRADING COMPANY"),
    ("黄河电子科技有限公司", "HUANGHE ELECTRONICS TECHNOLOGY CO., LTD."),
    ("Арктическая логистическая компания", "ARCTIC LOGISTICS COMPANY"),
    # Another rendering of a word, and a proper word transliterated beside translated ones
    # (a place word too: "شرق" is east, and the proper "SHARGH").
    ("Ремонтный завод Кедр", "KEDR REPAIR WORKS"),
    ("شركة بنك النجم المحدودة", "AL NAJM BANK CO LTD"),
    ("شرکت بنیان دانش شرق", "BONYAN DANESH SHARGH PRIVATE COMPANY"),
    # A Russian kind of organisation ("концерн") that a list writes in English.
    ("Концерн Тамбовмаш", "JOINT STOCK COMPANY CONCERN TAMBOVMASH"),
])
def test_translated_names_match_through_the_index(query: str, listed: str) -> None:
    # Without the reading, the romanised words ("mezhdunarodnyy", "lltjarh") meet nothing.
    assert score_pair(query, listed, "company") >= DEFAULT_THRESHOLD
    index = ScreeningIndex.build([
        ListedEntity(1, "company", listed, [ListedName(listed)]),
        ListedEntity(2, "company", "INTERNATIONAL TRADING COMPANY", []),
    ])
    found = index.screen(Subject(query, "company"))
    assert found and found[0].entity_id == 1 and found[0].match, found

"""Organisation names in another language read with their common words in English
(translate.py): Cyrillic stems with their inflections, Arabic words behind the article or a
joined particle, Han words found in unspaced text, borrowed Cyrillic suffixes."""

from __future__ import annotations

import pytest

from service.screening import ListedEntity, ListedName, ScreeningIndex, Subject
from service.screening.prepare import readings
from service.screening.score import score_pair
from service.screening.translate import translated_reading
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
    assert translated_reading(name) == reading


@pytest.mark.parametrize("name", [
    "Sberbank Trading Group",  # Latin text is compared as written
    "Новиков",  # a stem ("нов", new) with a remainder that is no inflection ending
    "Сталина",
    "ناصر",
])
def test_no_translation(name: str) -> None:
    assert translated_reading(name) is None


def test_only_organisations_are_translated() -> None:
    assert len(readings("Военный банк Новиков", "org")) == 2
    assert len(readings("Военный банк Новиков", "person")) == 1


@pytest.mark.parametrize(("query", "listed"), [
    ("Международный банк Кедр", "KEDR INTERNATIONAL BANK"),
    ("شركة النور للتجارة العامة", "AL NOOR GENERAL TRADING COMPANY"),
    ("黄河电子科技有限公司", "HUANGHE ELECTRONICS TECHNOLOGY CO., LTD."),
    ("Арктическая логистическая компания", "ARCTIC LOGISTICS COMPANY"),
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

"""The engine's bounded memos (service.screening.memo) and the caches that evict like them."""

from __future__ import annotations

import pytest

from service.screening import keys
from service.screening.memo import EVICT_SHARE, Memo, drop_oldest
from service.screening.tokens import NORMAL, Tok
from service.screening.types import Subject


def test_a_full_memo_drops_its_oldest_share_and_keeps_the_rest() -> None:
    memo = Memo(16)
    for i in range(16):
        memo.put(f"w{i}", i)
    memo.put("new", -1)
    dropped = 16 // EVICT_SHARE
    assert list(memo.data) == [f"w{i}" for i in range(dropped, 16)] + ["new"]
    assert memo.cache_info() == (0, 17, 16, 16 - dropped + 1)
    memo.cache_clear()
    assert memo.cache_info() == (0, 0, 16, 0)


def test_drop_oldest_drops_one_entry_at_least() -> None:
    data = {"a": 1, "b": 2}
    drop_oldest(data)
    assert data == {"b": 2}


@pytest.mark.parametrize("word", ["mohammed", "serhiy", "tschernow", "jurij", "ab", "o'neil"])
def test_a_remembered_key_is_the_key_computed(word: str) -> None:
    keys.PHONETIC_KEYS.cache_clear()
    keys.SLAVIC_KEYS.cache_clear()
    for _ in range(2):
        assert keys.phonetic_key(word) == keys.phonetic_key_uncached(word)
        assert keys.slavic_key(word) == keys.slavic_key_uncached(word)
    assert keys.PHONETIC_KEYS.cache_info()[:2] == (1, 1)  # computed once, then remembered
    assert keys.SLAVIC_KEYS.cache_info()[:2] == (1, 1)


def test_a_bulk_process_remembers_the_keys_of_more_words(monkeypatch) -> None:
    from service.screening import ScreeningIndex

    # Restored after the test: the memos belong to the process, not to one index.
    monkeypatch.setattr(keys.PHONETIC_KEYS, "maxsize", keys.KEY_CACHE)
    monkeypatch.setattr(keys.SLAVIC_KEYS, "maxsize", keys.KEY_CACHE)
    ScreeningIndex.build([]).for_bulk()
    assert keys.PHONETIC_KEYS.maxsize == keys.SLAVIC_KEYS.maxsize == keys.BULK_KEY_CACHE > keys.KEY_CACHE


def test_a_full_vocabulary_cache_keeps_the_words_asked_again(monkeypatch) -> None:
    from service.screening import vocabulary
    from service.screening.vocabulary import Vocabulary

    monkeypatch.setattr(vocabulary, "VOCAB_CACHE_SIZE", EVICT_SHARE)
    vocab = Vocabulary()
    words = [f"{w}name" for w in "abcdefghij"]
    for word in words:
        vocab.token_id(word)

    def ask(word: str) -> None:
        vocab.matches(Tok(word, 1.0, NORMAL, False))

    for word in words[:EVICT_SHARE]:
        ask(word)
    ask(words[0])  # asked again: now the most recent
    ask(words[EVICT_SHARE])  # the cache is full: the least recently used goes
    held = [key[0] for key in vocab._cache]
    assert held == [*words[2:EVICT_SHARE], words[0], words[EVICT_SHARE]]


def test_the_query_caches_are_each_found_once_and_the_one_entry_tables_are_left() -> None:
    from service.screening import ScreeningIndex, chinese, companies, tokens
    from service.screening.collector import drop_query_caches, query_caches

    ScreeningIndex.build([]).screen(Subject(name="Mohammed Ivanov"))  # every engine module imported
    caches = query_caches()
    assert caches["keys.PHONETIC_KEYS"] is keys.PHONETIC_KEYS  # a memo, named where it is made
    assert caches["tokens.token_sim"] is tokens.token_sim  # imported by other modules: listed once
    assert len({id(c) for c in caches.values()}) == len(caches)
    assert not any(isinstance(c, type) for c in caches.values())  # memo.Memo is imported, not a cache
    one_entry = [f for m in (chinese, companies) for f in vars(m).values()
                 if hasattr(f, "cache_info") and not isinstance(f, type) and f.cache_info().maxsize == 1]
    assert one_entry and not any(f in caches.values() for f in one_entry)

    keys.phonetic_key("mohammed")
    for table in one_entry:
        table()  # loaded
    assert drop_query_caches() >= 1
    assert all(c.cache_info().currsize == 0 for c in caches.values())
    assert all(f.cache_info().currsize == 1 for f in one_entry)  # loaded once, kept

"""The vocabulary of listed name tokens, and its fuzzy lookup.

Retrieval (:mod:`.retrieval`) works on the distinct name tokens, which are far
fewer than the names. Each token has an id and a postings list (the name slots
it appears in); a query token finds the listed tokens it may stand for through:

* a delete-one index (SymSpell style) over tokens of 3+ letters, so a token
  with one typo/transposition finds the listed spelling in a few dict lookups
  instead of a scan;
* a phonetic-key index (transliteration variants) with the keys' own
  delete-one variants, so two spellings whose keys differ by one letter are
  found ("Merkur"/"Merkel", "Cooney"/"Carney", "Sultan"/"Salman": two edits
  apart, which the scorer still pairs in a word of six letters or more, and
  which one delete on each side cannot reach), a consonant-skeleton index
  (queries romanised from Arabic/Hebrew ... arrive without vowels) and an
  index of pinyin readings (Wade-Giles "Tse-tung" finds "Zedong");
* the Slavic key (:func:`~.keys.slavic_key`: "Serhiy" finds "Sergei") and the
  caron fold (:func:`caron_fold`: "Sviščev", read "sviscev", finds "svishchev");
* the nicknames the scorer knows ("Ted" -> "Theodore");
* split readings of a query word ("AlisherUsmanov" -> "alisher" + "usmanov").

Each neighbour found is kept only when :func:`~.tokens.token_sim` agrees.
"""

from __future__ import annotations

import re
from array import array

from .chinese import pinyin_readings
from .keys import (
    assimilated_skeleton,
    cedilla_reading,
    collapse_doubles,
    doubled_skeleton,
    phonetic_key,
    phonetic_key_uncached,
    skeleton,
    skeleton_final_vowel,
    slavic_key,
    slavic_key_uncached,
)
from .memo import drop_oldest
from .multimap import MultiMap
from .score import MIN_TOKEN_SIM
from .tokens import (
    GENERIC,
    KEY_EQUAL_SIM,
    NOMINATIVE_ENDINGS,
    PATRONYMIC,
    Tok,
    nicknames_of,
    token_sim_uncached,
)
from .translit import ABD, ABD_WITH_ARTICLE

__all__ = ["JOINED", "Vocabulary"]

#: Shortest word whose one-edit variants are indexed: one edit in a three-letter word
#: ("Min"/"Mun", "Gol"/"Gom") can still be the same name.
MIN_DELETES_LEN = 3
#: Shortest Latin query word also looked up by its consonant skeleton: spellings two or
#: three edits apart ("schulze"/"scholz", "aleksandr"/"alexander", "volodymyr"/"vladimir")
#: share it, and the pruning estimate counts on the vocabulary finding what the scorer pairs.
MIN_SKELETON_LEN = 5
#: Fewest consonants of such a Latin word's skeleton for the lookup: a skeleton of one or two
#: ("ld" of "Lyudo", "ln" of "Alina") is shared by hundreds of listed words, none of them two
#: or three edits away: about a sixth of the lookup's verifications on faker names, nearly
#: all rejected.
MIN_LATIN_SKELETON = 3
#: Shortest phonetic key whose delete-one variants are indexed (see the module docstring):
#: a shorter key's variants are shared by too many words to be worth verifying, and the
#: words behind it are too short for two edits to keep them the same name.
MIN_KEY_DELETES_LEN = 5
#: Shortest word for which two edits can still pair (``tokens.spelling_sim``: 1 - 1.8/6 = 0.7).
TWO_EDIT_WORD_LEN = 6
#: Query tokens whose vocabulary neighbours are remembered (per index). Given
#: names and common surnames recur across the rows of a bulk file; the cache
#: is dropped whenever the vocabulary grows.
VOCAB_CACHE_SIZE = 10_000
#: The same in a process that screens bulk rows only (:meth:`Vocabulary.for_bulk`). A file's
#: rows recur in their words far apart: 20,000 OFAC-like rows looked up 67,000 distinct words,
#: and remembering all of them took 8% less CPU a row than remembering 10,000. About 440 bytes
#: an entry: 44 MB at most per such process.
BULK_VOCAB_CACHE_SIZE = 100_000
#: Shortest skeleton of a vowel-less query word whose one-edit variants are looked up:
#: shorter, one edit leaves it below score.MIN_TOKEN_SIM (0.95 * 2/3 for three letters).
MIN_EDITED_SKELETON_LEN = 4
#: The letters of a consonant skeleton (see keys.skeleton: p, q, c, v and x are folded).
SKELETON_LETTERS = "bdfghjklmnrstz"
#: Least similarity of both halves of a vowel-less word read as two listed words.
SPLIT_ABJAD_SIM = 0.9
#: Kind of the retrieval-only probe made of two adjacent query tokens joined.
JOINED = "j"


_DIGRAPH_H = re.compile(r"(?<=[csz])h")


def caron_fold(text: str) -> str:
    """English "ch", "sh", "zh" written as the bare letter: "Sviščev" reaches us as
    "sviscev" (accents dropped) where the list writes "svishchev", two letters apart."""
    return _DIGRAPH_H.sub("", text)


def _deletes(text: str) -> list[str]:
    return [text[:i] + text[i + 1 :] for i in range(len(text))]


def _skeleton_edits(sk: str) -> set[str]:
    """The strings one edit (delete, insert, substitute, swap) from a consonant skeleton,
    over the letters skeletons are made of."""
    out: set[str] = set()
    for i in range(len(sk) + 1):
        for c in SKELETON_LETTERS:
            out.add(sk[:i] + c + sk[i:])
        if i < len(sk):
            out.add(sk[:i] + sk[i + 1 :])
            for c in SKELETON_LETTERS:
                out.add(sk[:i] + c + sk[i + 1 :])
            if i + 1 < len(sk):
                out.add(sk[:i] + sk[i + 1] + sk[i] + sk[i + 2 :])
    out.discard(sk)
    return out


class Vocabulary:
    """Distinct name tokens: ids, postings lists and the fuzzy lookup tables."""

    def __init__(self) -> None:
        self._tid: dict[str, int] = {}
        self.texts: list[str] = []
        #: Per token id: the name slots it appears in (they only ever grow). Arrays, not lists:
        #: 4 bytes an entry, and walking one writes nothing a forked worker shares (a list's
        #: int objects had their reference counts written by every query that walked them).
        self.postings: list[array[int]] = []
        # Fuzzy lookup tables: hash(string) -> token ids, in flat arrays (see .multimap).
        # A hash collision only adds a candidate that the exact similarity rejects. Each
        # gets only the token id just numbered (token_id), so in ascending order.
        self._deletes = MultiMap(ascending=True)
        self._keys = MultiMap(ascending=True)
        self._key_deletes = MultiMap(ascending=True)  # delete-one variants of the keys
        self._skeletons = MultiMap(ascending=True)
        self._chinese = MultiMap(ascending=True)  # pinyin reading -> token ids
        # (token text, abjad, fuzzy, split) -> vocabulary neighbours; see matches.
        self._cache: dict[tuple[str, bool, bool | None, bool], tuple[tuple[int, float], ...]] = {}
        self.cache_size = VOCAB_CACHE_SIZE  # entries _cache holds at most

    def token_id(self, text: str) -> int:
        """The id of ``text``, added to the vocabulary if new."""
        tid = self._tid.get(text)
        if tid is not None:
            return tid
        tid = len(self.texts)
        self._tid[text] = tid
        if self._cache:
            self._cache.clear()
        self.texts.append(text)
        self.postings.append(array("i"))
        if len(text) >= MIN_DELETES_LEN and text.isalpha():
            for d in _deletes(text):
                self._deletes.add(hash(d), tid)
        if len(text) >= 4 and text.isalpha():
            # Uncached, so building a big index does not fill the query-time caches with
            # every vocabulary word.
            key = phonetic_key_uncached(text)
            self._keys.add(hash(key), tid)
            slavic = slavic_key_uncached(text)
            if slavic != key:
                self._keys.add(hash(slavic), tid)
            folded = caron_fold(text)
            if folded != text:
                # Prefixed: apart from the phonetic keys in the same table.
                self._keys.add(hash("^" + folded), tid)
            if len(key) >= MIN_KEY_DELETES_LEN:
                for d in _deletes(key):
                    self._key_deletes.add(hash(d), tid)
        if text.isalpha():
            # One consonant too: an Arabic-script query "علي" reads "ly", which only the
            # skeleton connects to "ali" (the query side looks this up for abjad words alone).
            sk = skeleton.__wrapped__(text)
            if sk:
                self._skeletons.add(hash(sk), tid)
            soft = cedilla_reading(text)
            if soft and (soft_sk := skeleton.__wrapped__(soft)) != sk:
                self._skeletons.add(hash(soft_sk), tid)
            if doubled := doubled_skeleton(text, sk):
                self._skeletons.add(hash(doubled), tid)
            # Chinese syllables: "tsetung" (Wade-Giles) is found from "zedong".
            for reading in pinyin_readings.__wrapped__(text):
                self._chinese.add(hash(reading), tid)
        return tid

    def matches(self, tok: Tok) -> tuple[tuple[int, float], ...]:
        """Vocabulary tokens similar to one query token, with similarities."""
        text = tok.text
        # Initials and low-weight words (legal forms, "al", "group") are not looked up by
        # sound or skeleton: such variants of them find nothing useful. A common word
        # ("investment", "new") is still looked up one letter off ("investments", "news"):
        # the pruning estimate counts a word no lookup found as unmatched, and would drop a
        # name the scorer accepts. A patronymic weighs little but is a name of its own:
        # "Igorevitsch" must find "igorevich", or the estimate counts the pair as two
        # patronymics that disagree.
        fuzzy: bool | None = len(text) >= 2 and (tok.weight >= 0.5 or tok.kind == PATRONYMIC)
        if not fuzzy and tok.kind == GENERIC and len(text) >= MIN_DELETES_LEN:
            fuzzy = None  # one letter off only
        # A joined probe ("guang"+"zong") is not split again: that would only
        # find its own parts a second time and double their coverage.
        split = tok.kind != JOINED
        key = (text, tok.abjad, fuzzy, split)
        cache = self._cache
        hit = cache.pop(key, None)
        if hit is not None:
            # Moved to the end: the least recently used goes first, so the words that recur
            # (given names, "youxian" of every 有限公司) stay while one-off words pass through.
            cache[key] = hit
            return hit
        out = self._search(text, tok.abjad, fuzzy, split)
        if len(cache) >= self.cache_size:
            drop_oldest(cache)  # the least recently used first
        cache[key] = out
        return out

    def for_bulk(self) -> None:
        """Remember up to BULK_VOCAB_CACHE_SIZE query words, not VOCAB_CACHE_SIZE: for a
        process that screens the rows of files and nothing else (a forked screening process, a
        Celery worker). A service's worker keeps the smaller bound: its memory is what each
        worker adds to the machine's."""
        self.cache_size = BULK_VOCAB_CACHE_SIZE

    def _probe_one_edit(self, text: str, probes: set[int]) -> None:
        """Token ids of listed words one edit from ``text``."""
        self._deletes.get_into(hash(text), probes)
        if len(text) >= MIN_DELETES_LEN:
            for d in _deletes(text):
                t2 = self._tid.get(d)
                if t2 is not None:
                    probes.add(t2)
                self._deletes.get_into(hash(d), probes)

    def _probe_spelling(self, text: str, probes: set[int]) -> None:
        """Token ids of listed words one edit from ``text``, or whose phonetic keys are
        one edit apart."""
        self._probe_one_edit(text, probes)
        if len(text) >= 4:
            folded = caron_fold(text)
            self._keys.get_into(hash("^" + folded), probes)
            if folded != text:
                t2 = self._tid.get(folded)
                if t2 is not None:
                    probes.add(t2)
            key = phonetic_key(text)
            self._keys.get_into(hash(key), probes)
            slavic = slavic_key(text)
            if slavic != key:
                self._keys.get_into(hash(slavic), probes)
            # Keys one letter apart: a listed key one longer, one shorter, or one other. Only
            # for words of TWO_EDIT_WORD_LEN letters or more: a shorter word two edits away
            # scores below MIN_TOKEN_SIM anyway (one edit is found by the deletes above), and
            # these probes are the costliest of the lookup.
            if len(text) < TWO_EDIT_WORD_LEN:
                return
            self._key_deletes.get_into(hash(key), probes)
            if slavic != key:
                # "Yevhen" (slavic key "avgan") finds "Yevgeny" ("avgana").
                self._key_deletes.get_into(hash(slavic), probes)
            if len(key) >= MIN_KEY_DELETES_LEN - 1:
                for d in _deletes(key):
                    self._keys.get_into(hash(d), probes)
                    self._key_deletes.get_into(hash(d), probes)

    def _search(
        self, text: str, abjad: bool, fuzzy: bool | None, split: bool = True
    ) -> tuple[tuple[int, float], ...]:
        found: dict[int, float] = {}
        tid = self._tid.get(text)
        if tid is not None:
            found[tid] = 1.0
        if fuzzy is None:
            one_edit: set[int] = set()
            self._probe_one_edit(text, one_edit)
            for near in one_edit - found.keys():
                if (sim := token_sim_uncached(text, self.texts[near], abjad, False)) >= MIN_TOKEN_SIM:
                    found[near] = sim
        if not fuzzy:
            return tuple(found.items())
        if text in ABD_WITH_ARTICLE and (abd := self._tid.get(ABD)) is not None:
            # "Abdul" (and "عبد ال" read "abdl") is also the listed "Abd" of "Abd al-Ghafar",
            # which the scorer pairs joined with its "al".
            found.setdefault(abd, KEY_EQUAL_SIM)
        probes: set[int] = set()
        # The Arabic article read into the word ("lqbysy" for al-Qubaysi): its probes are
        # judged without it, as the scorer pairs it with the listed "al" + "qubaysi" joined.
        # Only in a reading of Arabic script: a Latin spelling writes the article apart, and
        # "Lyudo" read as "l" + "yudo" found every listed word of the one consonant "d".
        bare: set[int] = set()
        if abjad or len(text) >= MIN_SKELETON_LEN:
            sk = skeleton(text, abjad)
            if abjad or len(sk) >= MIN_LATIN_SKELETON:
                self._skeletons.get_into(hash(sk), probes)
                # Abjad: the article's lam read as the sun letter it is pronounced as; Latin:
                # a consonant doubled once the vowels are dropped ("buildead" for "build ead").
                other = assimilated_skeleton(sk) if abjad else collapse_doubles(sk)
                if other and other != sk:
                    self._skeletons.get_into(hash(other), probes)
            if abjad and len(sk) >= MIN_EDITED_SKELETON_LEN:
                # A skeleton one consonant off ("hshm" Hisham, "hshn" Hishan) still pairs in
                # a word of four consonants or more: its one-edit variants are looked up.
                for variant in _skeleton_edits(sk):
                    self._skeletons.get_into(hash(variant), probes)
            if abjad and (vowel_end := skeleton_final_vowel(text)) is not None:
                self._skeletons.get_into(hash(vowel_end), probes)
                self._skeletons.get_into(hash(vowel_end + "t"), probes)  # a ة read "t"
            if abjad and text[0] == "l" and len(text) >= 3:
                self._skeletons.get_into(hash(skeleton(text[1:], True)), bare)
                if (bare_end := skeleton_final_vowel(text[1:])) is not None:
                    self._skeletons.get_into(hash(bare_end), bare)  # "القاعدة" ~ "al-Qaida"
        # The listed words sharing a pinyin reading with the query word are among those its
        # readings find (hash collisions aside, which the verification below weeds out).
        chinese: set[int] = set()
        if text.isalpha():
            for reading in pinyin_readings(text):
                self._chinese.get_into(hash(reading), probes)
                self._chinese.get_into(hash(reading), chinese)
        # A digit typed for a letter ("Ig0r Sech1n") is still a misspelt word.
        if len(text) >= MIN_DELETES_LEN - 1 and not text.isdigit() and text.isalnum():
            self._probe_spelling(text, probes)
            # A nominative ending ("Lavrovs", "Sergejs", "Amazonis"): the scorer also compares
            # the stem, so its neighbours are looked up too.
            for end in NOMINATIVE_ENDINGS:
                if text.endswith(end) and len(text) - len(end) >= 4:
                    self._probe_spelling(text[: -len(end)], probes)
                    break
            for nick in nicknames_of(text):
                t2 = self._tid.get(nick)
                if t2 is not None:
                    probes.add(t2)
        texts = self.texts
        for t2 in probes | bare:
            if t2 in found:
                continue
            # A word the readings did not find shares none with the query word: token_sim
            # need not spell out its readings to find that out.
            s = token_sim_uncached(text, texts[t2], abjad, False, None if t2 in chinese else False)
            if t2 in bare:
                s = max(s, token_sim_uncached(text[1:], texts[t2], abjad, False))
            if s >= MIN_TOKEN_SIM:
                found[t2] = s
        if split and abjad and len(text) >= 6:
            # Whatever else it found: one list writing "Mohammadali" as one word does not stop
            # another writing it as two.
            self._split_abjad(text, found)
        if split and len(text) >= 6 and text.isalpha() and max(found.values(), default=0.0) < 0.9:
            # "alisherusmanov", "elnato": try reading the query word as two listed words
            # unless it is a listed word, or one letter from one. Every cut: the first one
            # into listed words is not always the one the name is made of ("medica" + "land"
            # before "medical" + "and").
            for i in range(2, len(text) - 1):
                a, b = self._tid.get(text[:i]), self._tid.get(text[i:])
                if a is not None and b is not None:
                    found[a] = found[b] = 0.9
        return tuple(found.items())

    def _split_abjad(self, text: str, found: dict[int, float]) -> None:
        """Two names written as one word in Arabic script ("محمدعلی", read "mhmdly", is
        Mohammad Ali; Persian writes such compounds joined): the vowel-less reading cannot
        be cut at a listed spelling, so each cut is looked up by the skeletons of its two
        halves. The listed words of every cut whose halves both find one are found, at the
        weaker half's similarity: the scorer, not the lookup, tells "mhmd" + "ly" (Mohammad
        Ali) from "mh" + "mdly" (Muh Medal)."""
        texts = self.texts
        for i in range(2, len(text) - 1):
            halves: list[tuple[float, list[int]]] = []
            for part in (text[:i], text[i:]):
                ids: set[int] = set()
                self._skeletons.get_into(hash(skeleton(part, True)), ids)
                sims = [(token_sim_uncached(part, texts[t], True, False), t) for t in ids]
                good = [(s, t) for s, t in sims if s >= SPLIT_ABJAD_SIM]
                if not good:
                    break
                halves.append((max(good)[0], [t for _, t in good]))
            if len(halves) == 2:
                low = 0.9 * min(halves[0][0], halves[1][0])
                for t in halves[0][1] + halves[1][1]:
                    found[t] = max(found.get(t, 0.0), low)

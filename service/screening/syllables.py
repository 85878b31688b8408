"""Romanised Chinese and Korean personal names compared syllable by syllable (score.py):
each syllable is a character, so two that differ by a letter are other characters more
often than a typing slip, and a given name is read in its order."""

from __future__ import annotations

from rapidfuzz.distance import OSA

from .anchors import Pair
from .chinese import is_syllable, is_syllable_run, same_chinese_name, same_syllable
from .tokens import INITIAL, NORMAL, Tok

__all__ = ["SYLLABLE_OTHER_SIM", "SYLLABLE_SLIP_SIM", "given_order", "short_name", "syllable_sim"]

# Two different romanised Chinese or Korean syllables ("jin"/"lin", "liang"/
# "lung", "suk"/"su"): one letter apart, they are other characters, so two
# names typed in Latin letters pair them at most at SYLLABLE_SLIP_SIM
# (score.MIN_TOKEN_SIM; phonetic keys gave 0.85). Lower values cut more alerts
# but lose typo and alias_typo recall on bench/realistic.py and labelled pairs
# of bench/accuracy.py ("SON YONG HYOK" / "SON JONG HYOK"). A syllable read
# from Han/Hangul characters has no typing slip in it: against another
# syllable it does not pair at all (SYLLABLE_OTHER_SIM < score.PAIR_MIN_SIM),
# so "김정순" (Kim Jong Sun) contradicts "KIM, Jong Un". Known spellings of one
# syllable (pinyin / Wade-Giles, Korean romanisations) are exempt.
SYLLABLE_SLIP_SIM = 0.7
SYLLABLE_OTHER_SIM = 0.5
# Given-name syllables paired in the other order count this much (as a father and son
# swapped do in score.py, ROLE_SWAP_FACTOR).
GIVEN_ORDER_FACTOR = 0.5


def syllable_sim(a: Tok, b: Tok, sim: float, short: bool = False) -> float:
    """``sim`` lowered when the two are name words reading as different romanised
    Chinese/Korean syllables ("jin"/"lin"), or as different runs of Chinese syllables
    ("guangming"/"guangzong": one syllable of a given name is another character):
    capped at SYLLABLE_SLIP_SIM (a typed slip, or one syllable of a run), else (single
    syllables two letters or more apart, "gang"/"hong", one read from Han/Hangul
    characters, or one syllable against a run of several, "jing"/"jinghe") lowered to
    SYLLABLE_OTHER_SIM (no pair). In a ``short`` name (:func:`short_name`) two different
    single syllables never pair, however close their letters."""
    if sim <= SYLLABLE_OTHER_SIM or a.kind != NORMAL or b.kind != NORMAL:
        return sim
    at, bt = a.text, b.text
    # A Hangul syllable reads as a syllable in every romanisation: a word that none spells
    # ("Aung", Burmese) is not its reading.
    if (a.orig >= "\uac00" and not b.orig and not is_syllable_run(bt)) or (
        b.orig >= "\uac00" and not a.orig and not is_syllable_run(at)
    ):
        return SYLLABLE_OTHER_SIM
    sa, sb = is_syllable(at), is_syllable(bt)
    single = sa and sb
    if single:
        other = not same_syllable(at, bt)
    elif (sa or sb) and abs(len(at) - len(bt)) >= 2 and is_syllable_run(at) and is_syllable_run(bt):
        # One syllable against a given name of two ("jing"/"jinghe"): a character more or
        # less is another name, as a syllable missing beside the others is. Two letters
        # more at least: "chann" is a typo of "chan", not "chan" + "n".
        return SYLLABLE_OTHER_SIM
    else:
        other = is_syllable_run(at) and is_syllable_run(bt) and not same_chinese_name(at, bt)
    if other:
        # Two letters off, a syllable is another character; so is one syllable of the given
        # name of a ``short`` name written as one word ("Xiuying" / "Cuiying"), where no other
        # syllable vouches for a slip. One letter off there ("Xiaoing") is still a slip.
        far = OSA.distance(at, bt) > 1
        if a.orig or b.orig or (single and (short or far)) or (short and far):
            return SYLLABLE_OTHER_SIM
        return min(sim, SYLLABLE_SLIP_SIM)
    return sim


def given_order(
    pairs: list[Pair], q: tuple[Tok, ...] | list[Tok], c: tuple[Tok, ...] | list[Tok], paired: float
) -> list[Pair]:
    """Two syllabic names whose given-name syllables pair in the other order: "Kwang Su"
    is not "Su Gwang", a Chinese or Korean given name is read in its order. Those pairs
    count GIVEN_ORDER_FACTOR as much (pairs at ``paired`` or better
    are the matched ones). Only where a surname is known (a comma, or Han/Hangul
    order) to tell the given names from it: "Jong Un Kim" is "KIM, Jong Un"."""
    if not any(a.surname or b.surname for a, b, _ in pairs):
        return pairs
    qi = {id(t): i for i, t in enumerate(q)}
    ci = {id(t): j for j, t in enumerate(c)}
    given = sorted((qi[id(a)], ci[id(b)]) for a, b, s in pairs
                   if s >= paired and not (a.surname or b.surname))
    if all(j1 < j2 for (_, j1), (_, j2) in zip(given, given[1:], strict=False)):
        return pairs
    return [(a, b, s if a.surname or b.surname else s * GIVEN_ORDER_FACTOR) for a, b, s in pairs]


def short_name(q: tuple[Tok, ...] | list[Tok], c: tuple[Tok, ...] | list[Tok]) -> bool:
    """Whether either of two syllabic personal names is a surname and a one-syllable given
    name ("LEI, Zhang"): a slip in either syllable leaves one shared syllable, and a
    different syllable is another character. In a longer name the other syllables vouch for
    a typing slip, and so do the other letters of a given name written as one word
    ("Xiaoing" for "Xiaobing")."""
    return min(_name_parts(q), _name_parts(c)) <= 2


def _name_parts(toks: tuple[Tok, ...] | list[Tok]) -> int:
    return sum(1 for t in toks if t.kind == NORMAL or t.kind == INITIAL)

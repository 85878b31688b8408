"""Pairs that anchor nothing (score.py): the aligned words may all be there and the
name still be another person's, when every pair is only approximate and something is
left over, or when two words are matched and neither firmly. Each sign lowers the score
by a factor rather than adding a cost, since it says nothing about any one word."""

from __future__ import annotations

from .tokens import INITIAL, KIND_WEIGHT, Tok

__all__ = ["ANCHOR_SIM", "FIRM_SIM", "Pair", "doubt_factor"]

Pair = tuple[Tok, Tok, float]

# A name matched on two words, neither of them (near) exactly and one only loosely ("Sergiy
# Fesenko" ~ "FURSENKO, Sergey", "Egor Antonov" ~ "ANTIPOV, Ihor"): two approximations
# and no word to anchor them are most often two other people's names. On the realistic
# bench such two-word matches were clean names six times for one listed person.
ANCHOR_SIM = 0.97
FIRM_SIM = 0.8
NO_ANCHOR_FACTOR = 0.9
# A loose pair beside unmatched words (see loose_beside_leftovers).
LOOSE_LEFTOVER_FACTOR = 0.92


def doubt_factor(pairs: list[Pair], rest_q: list[Tok], rest_c: list[Tok]) -> float:
    """What the score is multiplied by for the signs above (1.0: none)."""
    if unanchored(pairs):
        return NO_ANCHOR_FACTOR
    if loose_beside_leftovers(pairs, rest_q, rest_c):
        return LOOSE_LEFTOVER_FACTOR
    return 1.0


def loose_beside_leftovers(pairs: list[Pair], rest_q: list[Tok], rest_c: list[Tok]) -> bool:
    """A full word paired only loosely (at FIRM_SIM or below: "Popov" / "POTAPOV") while
    words are left unmatched (a patronymic or an initial too): two signs of another
    person, where either alone is a typo or a dropped name."""
    if not any(t.weight >= KIND_WEIGHT[INITIAL] for t in (*rest_q, *rest_c)):
        return False
    return any(s <= FIRM_SIM and min(a.weight, b.weight) >= 0.5 and a.kind != INITIAL and b.kind != INITIAL
               for a, b, s in pairs)


def unanchored(pairs: list[Pair]) -> bool:
    """Two full words matched, neither at ANCHOR_SIM and one below FIRM_SIM."""
    if len(pairs) != 2:
        return False
    if any(a.kind == INITIAL or b.kind == INITIAL or min(a.weight, b.weight) < 0.5 for a, b, _ in pairs):
        return False
    sims = [s for _, _, s in pairs]
    return max(sims) < ANCHOR_SIM and min(sims) < FIRM_SIM

"""A match's explanation in words (service/ui/explain.py), from the engine's explanation dict."""

from __future__ import annotations

from service.screening import Subject
from service.screening.index import ScreeningIndex
from service.screening.types import ListedEntity, ListedName
from service.ui.explain import describe, leftover_cost, pair_quality


def explanation(**over):
    base = {"query_name": "Ivan Petrov", "matched_name": "PETROV, Ivan", "matched_name_kind": "primary",
            "name_score": 0.9, "token_pairs": [["ivan", "ivan", 1.0], ["petrov", "petrow", 0.93]],
            "unmatched": [], "adjustments": [], "final_score": 0.9, "threshold": 0.8}
    return {**base, **over}


def test_pairs_and_verdict():
    r = describe(explanation())
    assert [(p.query, p.listed, p.quality) for p in r.pairs] == [
        ("ivan", "ivan", "exact"), ("petrov", "petrow", "close (spelling or transliteration variant)")]
    assert r.kind == "primary name" and r.is_match
    assert r.arithmetic == "0.90 (name) = 0.90" and r.verdict == "At or above the threshold 0.80: a match."
    assert pair_quality(0.75) == "similar" and pair_quality(0.65) == "weak (half credit)"


def test_leftovers_missing_or_contradicting():
    one_side = describe(explanation(unmatched=[{"side": "listed", "word": "sergeyevich", "weight": 0.6}]))
    [w] = one_side.leftovers
    assert (w.side, w.word) == ("the listed name", "sergeyevich")
    assert w.cost == "a lighter word; your query leaves it out, which costs 0.2× its weight (a missing part)"
    both = describe(explanation(unmatched=[{"side": "query", "word": "lavrov", "weight": 1.0},
                                           {"side": "listed", "word": "ivanov", "weight": 1.0}]))
    assert all("contradiction (3× its weight)" in w.cost for w in both.leftovers)
    assert "0.6× its weight" in leftover_cost("query", 0.1, False, organisation=True)
    assert leftover_cost("query", 0.1, False, organisation=True).startswith("a low-weight word")


def test_adjustments_clamp_and_the_rule_for_agreeing_details():
    r = describe(explanation(name_score=0.99, final_score=1.0, adjustments=[
        {"feature": "birth_date", "effect": 0.02, "detail": "1985 matches 1985-11-12"},
        {"feature": "identifier", "effect": 0.3, "detail": "passport E1 matches"}]))
    assert [(e.feature, e.effect, e.note) for e in r.effects] == [
        ("Birth date", 0.02, None), ("Identifier", 0.3, None)]
    assert r.arithmetic == "0.99 (name) + 0.02 (birth date) + 0.30 (identifier) = 1.31, kept within 0 to 1: 1.00"
    low = describe(explanation(name_score=0.7, final_score=0.7, adjustments=[
        {"feature": "country", "effect": 0.0, "detail": "CN in CN"}]))
    assert low.effects[0].note is not None and "never turn a non-match into a match" in low.effects[0].note
    assert not low.is_match and low.verdict.startswith("Below the threshold 0.80")


def test_weak_alias_rule_from_a_real_match():
    index = ScreeningIndex.build([ListedEntity(
        entity_id=1, type="person", name="ROSSI, Mario",
        names=[ListedName("ROSSI, Mario", "primary"), ListedName("Giuseppe", "weak_alias")],
        birth_dates=[], countries=[], identifiers=[], references=["X:1"])])
    [match] = index.screen(Subject(name="Giuseppe"), threshold=0.5, limit=5)
    r = describe(match.explanation, entity_type="person")
    assert r.kind == "weak alias"
    assert any(rule.startswith("Weak-alias rule: a weak alias identifies nobody on its own") for rule in r.rules)
    plain = describe(index.screen(Subject(name="Mario Rossi"), threshold=0.5, limit=5)[0].explanation)
    assert plain.rules == [] and plain.kind == "primary name"

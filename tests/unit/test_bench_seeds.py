"""bench/realistic.py's pooling of several seeds: the seed list and the interval it prints."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.realistic import parse_seeds, wilson  # noqa: E402


def test_seeds_are_ranges_and_lists() -> None:
    assert parse_seeds("4001-4003") == [4001, 4002, 4003]
    assert parse_seeds("1,5, 10-12") == [1, 5, 10, 11, 12]
    assert parse_seeds("7") == [7]


@pytest.mark.parametrize("spec", ["a-b", "5-3", "1,,2", ""])
def test_a_bad_seed_list_is_refused(spec: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_seeds(spec)


def test_interval_holds_the_rate_and_narrows_with_more_names() -> None:
    lo, hi = wilson(7, 1500)
    assert lo < 7 / 1500 < hi
    lo30, hi30 = wilson(70, 15000)
    assert lo < lo30 < 7 / 1500 < hi30 < hi
    # No alert at all still leaves room above zero.
    assert wilson(0, 1500)[0] == pytest.approx(0.0, abs=1e-12) and 0 < wilson(0, 1500)[1] < 0.005

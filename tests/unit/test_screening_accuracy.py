"""Accuracy on the real labelled data (skipped when the data dir is absent)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from bench import accuracy  # noqa: E402
from bench._data import data_dir, have  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not have("namematch", "nomenklatura_name_bench_cases.csv"),
        reason=f"sanctions data not found in {data_dir()} (set SANCTIONS_DATA_DIR)",
    ),
]

# The target is F1 >= 0.92; the engine reaches 0.930 at DEFAULT_THRESHOLD
# (algorithm 1.3: P 0.955, R 0.906; held-out 0.925 by bench/accuracy_cv.py; the
# OpenSanctions logic-v2 baseline gets 0.790). The floor is the target, just
# under the reached figure, so that a regression fails.
F1_FLOOR = 0.92


def test_f1_on_nomenklatura_pairs_beats_baseline() -> None:
    _, _, f1 = accuracy.pairs_f1()
    _, _, baseline_f1, _ = accuracy.logicv2_baseline()
    assert f1 >= F1_FLOOR
    assert f1 > baseline_f1 + 0.1


def test_un_recall_and_alert_rate() -> None:
    recall, alert_rate, _ = accuracy.un_benchmark(with_xml=True)
    assert recall >= accuracy.TARGET_UN_RECALL
    assert alert_rate <= accuracy.TARGET_ALERT_RATE

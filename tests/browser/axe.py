"""axe-core (vendored: vendor/axe.min.js, see vendor/README.md) run inside a page: no serious
or critical WCAG 2 A/AA violations allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations of WCAG 2 A/AA on the page as it stands. The script is evaluated
    through the DevTools protocol, which the page's CSP does not govern, so the page keeps
    its real policy while it is checked."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS)
    return list(result["violations"])


def assert_accessible(page: Any) -> None:
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING]
    assert not blocking, "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}): " + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in blocking)

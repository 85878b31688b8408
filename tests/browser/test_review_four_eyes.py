"""Four-eyes review in a real browser, on a server of its own started with
FOUR_EYES_REVIEW=true: an analyst's true-match decision is only a proposal; the same analyst
cannot approve it; a second analyst approves it and the decision takes effect."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from service import create_app
from service.extensions import db
from service.records.users import create_user
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PASSWORD, running_service, sign_in
from tests.browser.test_review import queue_row, screen
from tests.faults.server import ServiceProcess


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """This module's pages talk to a server with four-eyes review on, and a second analyst."""
    folder = tmp_path_factory.mktemp("four-eyes")
    with running_service(backend, folder, env={"FOUR_EYES_REVIEW": "true"}) as svc:
        app = create_app({"DATABASE_URL": svc.database_url, "TESTING": True, "JOB_DIR": str(folder / "jobs")})
        with app.app_context():
            create_user(session=db.session, username="second-analyst", role="analyst", password=PASSWORD)
            db.session.commit()
            db.engine.dispose()
        yield svc


def test_a_proposal_takes_effect_only_when_a_second_analyst_approves_it(signed_in: Any, new_page: Any) -> None:
    first = signed_in("analyst")
    screen(first, "Zhao Guangzong", birth_date="1985", country="CN")
    first.goto("/review")
    assert first.get_by_text("Four-eyes review is on").is_visible()
    queue_row(first, "born 1985 CN").get_by_role("link", name=re.compile("^Review")).click()
    first.wait_for_load_state()
    item_url = first.url
    first.get_by_label("True match").check()
    first.get_by_label("Comment").fill("Birth year and nationality agree.")
    first.get_by_role("button", name="Record decision").click()
    first.wait_for_load_state()
    assert first.get_by_text("Decision proposed: true match.").is_visible()
    pending = first.get_by_role("region", name="Awaiting approval")
    assert "proposed by analyst-user" in pending.inner_text()
    # The proposer is offered no approval, and a forged one is refused.
    assert pending.get_by_role("button", name="Approve").count() == 0
    assert "You proposed this decision" in pending.inner_text()
    proposal_id = re.search(r"/review/proposals/(\d+)/", _approve_action(new_page, item_url)).group(1)
    with first.expect_navigation():  # the form's submit navigates after evaluate returns
        first.evaluate("""id => { const f = document.createElement('form'); f.method = 'post';
            f.action = `/review/proposals/${id}/approve`; const t = document.createElement('input');
            t.type = 'hidden'; t.name = 'csrf_token'; t.value = document.querySelector('meta[name=csrf-token]').content;
            f.append(t); document.body.append(f); f.submit(); }""", proposal_id)
    assert first.get_by_role("heading", level=1).inner_text() == "You may not do this"
    assert first.get_by_text("a second reviewer must approve").is_visible()
    first.goto("/review")
    assert "true match proposed by analyst-user" in queue_row(first, "born 1985 CN").inner_text()  # not in force
    # A second analyst approves: the decision is in force and the match leaves the queue.
    second = new_page()
    sign_in(second, "second-analyst")
    second.goto(item_url)
    assert_accessible(second)
    second.screenshot(path="/tmp/ui-review-approve.png", full_page=True)
    second.get_by_label("Your comment").fill("Agreed.")
    second.get_by_role("button", name="Approve").click()
    second.wait_for_load_state()
    assert second.get_by_text("Approved: the true match decision is in force.").is_visible()
    assert queue_row(second, "born 1985 CN").count() == 0
    second.goto(item_url)
    history = second.get_by_role("region", name="Decisions so far").inner_text()
    assert "approved by second-analyst" in history and "Agreed." in history and "analyst-user" in history
    assert second.console.csp_violations() == [] and first.console.csp_violations() == []


def _approve_action(new_page: Any, item_url: str) -> str:
    """The approve form's address, as a second reviewer's page shows it."""
    other = new_page()
    sign_in(other, "editor-user")
    other.goto(item_url)
    action = other.get_by_role("button", name="Approve").evaluate("b => b.formAction")
    other.context.close()
    return str(action)

"""Every page of the benchmark (bench/pages.py) issues as many statements on a district of 40
members as on one of 12, and no more than its budget; every GET endpoint of the app is measured
there or excluded with a reason."""

from datetime import timedelta

from flask import Flask

from app.types import local_today
from bench.pages import BUDGETS, EXCLUDED, PAGES, PERSONS, ROLES, budget, entries
from bench.timing import Site, first_get
from tests.conftest import _reset_database, csrf_token

# A list runs the eager loads of a kind of row (the rows' people, their evidence) only when it
# shows rows of that kind, and which kinds reach the first page of the review queue depends on the
# data, not on its size. A query per row would add one statement per row: 12 members fill less
# than a page, 40 fill it, so the difference would be far above this.
SLACK = 2


def hand_in_a_log(site: Site, role: str) -> None:
    """A log handed in through the form: a list loads its rows' evidence only when it shows
    rows, so each role's own logs and the queue must show some at both sizes (synth gives a
    log to about a third of the members, not necessarily to the ones signed in)."""
    client = site.clients[role]
    answer = client.post(
        "/logs/new",
        data={
            "kind": "training",
            "done_on": (local_today() - timedelta(days=3)).isoformat(),
            "hours": "2",
            "title": "Course",
            "text": "What the course taught.",
            "csrf_token": csrf_token(client, "/logs/new"),
        },
    )
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:500]


def statement_counts(app: Flask, runner, members: int) -> dict[str, int]:
    """Synth a district of ``members`` into the empty test database and count each page's GET."""
    result = runner.invoke(args=["synth", "--members", str(members), "--years", "1"])
    assert result.exit_code == 0, result.output
    site = Site.open(app, ROLES)
    for role in PERSONS:
        hand_in_a_log(site, role)
    counts = {}
    for page, role in entries():
        sample = first_get(site, page, role)
        assert sample.status == 200, f"{page.key(role)}: {sample.url} answered {sample.status}"
        counts[page.key(role)] = sample.statements
    return counts


def test_statement_counts_do_not_grow_with_the_district(app, runner):
    small = statement_counts(app, runner, 12)
    with app.app_context():
        _reset_database()
    large = statement_counts(app, runner, 40)
    grown = {key: (small[key], large[key]) for key in small if abs(small[key] - large[key]) > SLACK}
    assert grown == {}, f"statements (12 members, 40 members) differ: {grown}"
    over = {
        page.key(role): (large[page.key(role)], budget(page, role))
        for page, role in entries()
        if large[page.key(role)] > budget(page, role)
    }
    assert over == {}, f"statements over budget (count, budget): {over}"


def test_every_get_endpoint_is_measured_or_excluded(app):
    gets = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    measured = {page.endpoint for page in PAGES}
    assert gets - measured - set(EXCLUDED) == set()
    assert measured & set(EXCLUDED) == set()
    assert (measured | set(EXCLUDED)) - gets == set()


def test_every_page_has_one_key_and_every_budget_names_one():
    keys = [page.key(role) for page, role in entries()]
    assert len(keys) == len(set(keys))
    assert set(BUDGETS) - set(keys) == set()

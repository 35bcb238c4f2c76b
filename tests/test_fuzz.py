"""Hostile values, each sent once to every query argument a page reads and to every field of every
form the pages show, as one role that reaches the page: none may answer 500.

The (endpoint, name) pairs come from the access-matrix walk: every view reads its query arguments
through the parsers of app/queries.py, which note the names they read. The forms are those the
walk's pages carry, each field posted with the hostile value while the others keep the values
the page gave them. SQLite only: the point is the application's parsing, not the database.
"""

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from conftest import PG_URL
from test_access import GET, ROLES, ids, sign_in, walk  # noqa: F401 - ids is a fixture
from werkzeug.exceptions import HTTPException

from app.queries import READ_NAMES

pytestmark = pytest.mark.skipif(PG_URL is not None, reason="the fuzz runs on SQLite only")

HOSTILE = (
    "²",  # a digit to str.isdigit(), not to int()
    "１２",  # full-width digits
    "NaN",
    "Infinity",
    "sNaN",
    "1e999999999",  # finite, but no arithmetic should expand it
    "9" * 5000,  # past the 4,300 digits int() converts
    "-1",
    "\x00%_\\'\"<b>",  # a NUL, LIKE's wildcards, quotes and markup
    "x" * 10_000,
)
# Whom a page is fuzzed as: the first role that reaches it (a 200), else one it answers at all.
REACH = ("secretary", "admin", "member", "secretary2", "anonymous")
# Work is done role by role in this order: what the admin does (resetting the member's password,
# ending memberships) would otherwise end the others' sessions.
ORDER = ("anonymous", "member", "secretary2", "secretary", "admin")
# Never posted: they end the session the fuzz works in or only change the language.
SKIPPED = {"auth.logout", "auth.language"}
# Posted last, since a success changes what the other forms may do.
CLOSING = {
    "activities.archive",
    "activities.cancel",
    "people.transfer",
    "logs.withdraw",
    "evidence.delete",
    "admin.unit_deactivate",
    "admin.membership_end",
    "admin.membership_remove",
    "admin.account_password",
    "admin.department_retire",
}


def reaching_role(expected: dict[str, int]) -> str | None:
    for statuses in ((200,), (204, 303, 400)):
        for role in REACH:
            if expected[role] in statuses:
                return role
    return None


class FormFields(HTMLParser):
    """The POST forms of a page: where each is sent and the values its fields carry."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.form: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            method = "post" if attr.get("hx-post") else attr.get("method", "get").lower()
            self.form = {"method": method, "action": attr.get("hx-post") or attr.get("action")}
            self.form["fields"] = {}
            self.form["names"] = set()
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = attr.get("name")
        fields = self.form["fields"]
        if tag == "option" and self.select is not None:
            if self.select not in fields or "selected" in attr:
                fields[self.select] = attr.get("value", "")
            return
        if not name or tag not in ("input", "select", "textarea", "button"):
            return
        kind = attr.get("type", "text").lower()
        if tag == "input" and kind in ("file", "submit", "reset", "image"):
            return
        self.form["names"].add(name)
        if kind in ("checkbox", "radio") and "checked" not in attr:
            return  # fuzzed, but not sent as ticked otherwise
        if tag == "select":
            self.select = name
        fields[name] = attr.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def with_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != name] + [(name, value)]
    return f"{parts.path}?{urlencode(query)}"


def test_no_hostile_value_answers_500(app, ids):  # noqa: F811 - the fixture
    adapter = app.url_map.bind("localhost")
    clients = {}
    for role in ORDER:
        clients[role] = app.test_client()
        clients[role].environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        sign_in(clients[role], role)
    READ_NAMES.clear()
    for role in ROLES:
        walk(clients[role], ids, role)
    pairs = sorted(READ_NAMES)
    assert len(pairs) >= 30, pairs  # the walk reached the pages' parsers

    # Each page as the role that reaches it: its query arguments, then the forms it shows.
    pages = {e: (url.format(**ids), reaching_role(expected)) for e, (url, expected) in GET.items()}
    failures = []
    forms: dict[tuple, tuple[str, str, dict]] = {}
    for endpoint, name in pairs:
        url, role = pages.get(endpoint, (None, None))
        if role is None:
            failures.append((endpoint, name, "read by a page the walk has no URL for"))
            continue
        for value in HOSTILE:
            response = clients[role].get(with_query(url, name, value))
            if response.status_code >= 500:
                failures.append((endpoint, name, value[:20], response.status_code))
    for endpoint, (url, role) in pages.items():
        if role is None or endpoint == "static":
            continue
        response = clients[role].get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = FormFields()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if form["method"] != "post":
                continue
            action = form["action"] or url
            try:
                target, _args = adapter.match(urlsplit(action).path, method="POST")
            except HTTPException:
                failures.append((endpoint, action, "a form posts to no route"))
                continue
            key = (target, frozenset(form["names"]))
            if target not in SKIPPED and key not in forms:
                forms[key] = (role, action, form)

    posted = 0
    closing = sorted(forms, key=lambda key: (ORDER.index(forms[key][0]), key[0] in CLOSING))
    for key in closing:
        role, action, form = forms[key]
        for name in sorted(form["names"] - {"csrf_token"}):
            for value in HOSTILE:
                response = clients[role].post(action, data={**form["fields"], name: value})
                posted += 1
                if response.status_code >= 500:
                    failures.append((key[0], name, value[:20], response.status_code))
    assert posted >= 500, (posted, sorted(forms))
    assert not failures, failures

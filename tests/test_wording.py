"""Wording that follows the language: no Chinese enumeration comma in English, and one date
format per language wherever a date is shown."""

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import csrf_token
from flask import render_template_string
from flask_babel import force_locale

from app.locale_text import enumeration, fmt_date, fmt_datetime

APP = Path(__file__).resolve().parent.parent / "app"
HX = {"HX-Request": "true"}
# Demo data is Chinese text by design; these modules are content, not wording.
CONTENT = APP / "demo"


def python_files() -> list[Path]:
    return [
        p for p in APP.rglob("*.py") if not p.is_relative_to(CONTENT) and p.name != "locale_text.py"
    ]


def strings_in_code(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]


def test_no_enumeration_comma_is_written_into_code_or_templates():
    found = [
        f"{path.relative_to(APP)}:{line}"
        for path in python_files()
        for line, text in strings_in_code(path)
        if "、" in text
    ]
    found += [
        f"{path.relative_to(APP)}:{number}"
        for path in APP.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "、" in line
    ]
    assert not found, f"join lists with enumeration(): {found}"
    en = (APP / "translations" / "en" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert "、" not in "".join(line for line in en.splitlines() if line.startswith("msgstr"))


def test_lists_are_joined_in_the_readers_language(app, client, auth, world):
    auth.login("admin")
    for language, joined in (
        ("en", "(Cujin branch, Dangzu, Jiguan branch)"),
        ("zh-CN", "Cujin branch、Dangzu、Jiguan branch"),
    ):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        data = {"csrf_token": csrf_token(client, "/auth/password")}
        response = client.post(f"/admin/units/{world['bureau']}/deactivate", data=data, headers=HX)
        assert joined in response.get_data(as_text=True), language
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert enumeration(["A", "B"]) == "A, B"


def whole_date_patterns() -> list[str]:
    """Every date pattern written outside the one place that holds them: a pattern with a day
    in it formats a whole date, which must use the language's one format instead."""
    found = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("format_date", "format_datetime"):
                continue
            pattern = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(pattern, ast.Constant) and "d" not in str(pattern.value)):
                found.append(f"{path.relative_to(APP)}:{node.lineno}")
    for path in APP.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\|\s*(date|datetime)\(\s*\"([^\"]*)\"", text):
            style = match[2]
            if style not in ("short", "medium", "long", "full", "when") and "d" in style:
                found.append(f"{path.relative_to(APP)}: {match[0]}")
    return found


def test_dates_are_formatted_in_one_place():
    assert not whole_date_patterns()


@pytest.mark.parametrize(
    "language, day, moment",
    [
        ("en", "March 8, 2026", "March 8, 2026, 14:30"),
        ("zh-CN", "2026年3月8日", "2026年3月8日 14:30"),
    ],
)
def test_one_date_format_per_language(app, language, day, moment):
    with app.test_request_context(headers={"Accept-Language": language}):
        shown = {fmt_date(date(2026, 3, 8), style) for style in ("short", "medium", "long")}
        assert shown == {day}
        instant = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # 14:30 in Beijing
        styles = ("short", "medium", "when")
        assert {fmt_datetime(instant, style) for style in styles} == {moment}
        assert day in fmt_date(date(2026, 3, 8), "full")  # the sign-in sheet adds the weekday


def test_templates_translate_in_the_locale_of_the_moment(app):
    """Templates look their translations up once per locale (``templating.translations``): the
    request's language, another inside a ``force_locale`` block, and the request's again after
    it, plural forms and placeholders as before."""
    plural = "'%(num)d person marked present.', '%(num)d people marked present.', 2"
    page = "{{ _('Code') }}|{{ ngettext(" + plural + ") }}"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        chinese = render_template_string(page)
        with force_locale("en"):
            english = render_template_string(page)
        again = render_template_string(page)
    assert chinese.startswith("编号|") and english.startswith("Code|") and again == chinese
    assert english.endswith("|2 people marked present.")
    assert chinese.endswith("|已将 2 人标记为出席。")

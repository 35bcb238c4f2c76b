"""The dashboard and the health check.

Every signed-in person sees their own sessions, what they owe and their year; a secretary also
sees their units' month, chart, inactive members and records to archive; the admin the same for
the bureau, and a table with one row per unit, kept between requests (``app.main.bureau``).
Every figure comes from ``app.reports.figures``.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from app import settings
from app.activities import families
from app.activities.models import ActivityState, Participation
from app.activities.rules import CHECKIN_AFTER, CHECKIN_BEFORE
from app.auth.models import Role, User
from app.auth.policy import can_plan_activities, scope_unit_ids, scoped_by_unit
from app.extensions import db
from app.htmx import render_fragment, render_page, wants_fragment
from app.main import bureau
from app.main.badge import badge_count
from app.people.models import COMMITTEE_POSTS, Membership, PartyStatus, Person
from app.people.services import STATE_CURRENT, RosterFilters, roster_filtered
from app.queries import ListPagination, page_number, text_arg
from app.reports import charts, figures
from app.reports.kept import Kept
from app.reports.rules import INACTIVE_DAYS
from app.review.services import TodoKind, todo_items
from app.types import local_today, utcnow

bp = Blueprint("main", __name__)

UPCOMING_DAYS = 30
UPCOMING_SHOWN = 10
MONTH_SESSIONS_SHOWN = 6
UNARCHIVED_SHOWN = 10
CHART_MONTHS = 12
# The admin sees the bureau's longest-inactive members; the full lists are the secretaries'.
INACTIVE_SHOWN_TO_ADMIN = 20


@bp.route("/healthz")
def healthz() -> Response:
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")


def roster_counts(user: User) -> dict[PartyStatus, int]:
    """People currently on the user's roster, by party status (one grouped query)."""
    # The roster's order and departments are no part of a count: the admin's is read off the
    # index of the people on the roll by status.
    current = roster_filtered(user, RosterFilters(state=STATE_CURRENT))
    rows = db.session.execute(
        current.with_only_columns(Person.party_status, sa.func.count()).group_by(
            Person.party_status
        )
    ).all()
    counts = {status: 0 for status in PartyStatus}
    for status, count in rows:
        counts[PartyStatus(status)] = count
    return counts


def _upcoming(person_id: int, now: datetime) -> list[dict[str, Any]]:
    """Open activities of every family in the next days that list the person, with their row
    and check-in window; activities under way stay until their window closes. The window is the
    one ``check_in_window`` gives, with the settings read once rather than once per activity."""
    before = timedelta(minutes=settings.get(CHECKIN_BEFORE.key))
    after = timedelta(minutes=settings.get(CHECKIN_AFTER.key))
    activity = families.any_activity()
    rows = db.session.execute(
        sa.select(activity, Participation)
        .join(Participation, Participation.activity_id == activity.id)
        .where(
            Participation.person_id == person_id,
            activity.state == ActivityState.OPEN,
            activity.ends_at >= now - after,
            activity.starts_at < now + timedelta(days=UPCOMING_DAYS),
        )
        .options(joinedload(activity.unit))
        .order_by(activity.starts_at, activity.id)
        .limit(UPCOMING_SHOWN)
    ).all()
    return [
        {
            "session": session,
            "mine": row,
            "window": (session.starts_at - before, session.ends_at + after),
        }
        for session, row in rows
    ]


def _todo(user: User, person_id: int) -> dict[str, list[Any]]:
    """What needs the person's own action, exactly as the review queue lists it for their badge:
    make-up studies owed, returned logs, leave decisions not yet seen."""
    items = todo_items(user)

    def of(kind: Any) -> list[Any]:
        return [item.obj for item in items if item.kind is kind]

    return {
        "make_ups": of(TodoKind.MAKE_UP_OWED),
        "returned_logs": of(TodoKind.RETURNED_LOG),
        "leave_news": of(TodoKind.LEAVE_DECIDED),
    }


def _member_part(
    user: User, person: Person, memberships: list[Membership], today: date, now: datetime
) -> dict[str, Any]:
    person_id = person.id
    year_start = date(today.year, 1, 1)
    mine = figures.member_figures([person_id], year_start, date(today.year + 1, 1, 1))[person_id]
    committee = any(m.role in COMMITTEE_POSTS for m in memberships)
    target = figures.hours_target(committee)
    share = figures.share(mine.study_hours, target)
    return {
        "upcoming": _upcoming(person_id, now),
        **_todo(user, person_id),
        "year": today.year,
        "figures": mine,
        "committee": committee,
        "target": target,
        "progress": share,
        "progress_class": charts.width_class(share),
    }


def _figures(
    units: sa.Select | None, today: date, inactive_days: int, now: datetime, kept: Kept | None
) -> dict[str, Any]:
    """The month's activities, those held and not archived, the inactive members (the rows
    shown, how many, how many gravely) and the chart's months: of the user's units, or of the
    bureau (``units`` None) from ``kept``."""
    month = today.replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    first = figures.months_back(today, CHART_MONTHS)
    if kept is not None:
        tally, unarchived_total = bureau.counts(kept, today, month, following, now)
        shown, total, grave = bureau.inactive(
            kept, today, inactive_days, now, INACTIVE_SHOWN_TO_ADMIN
        )
        months = bureau.monthly(kept, first, CHART_MONTHS, today, now)
    else:
        tally = figures.session_tally(units, month, following, now)
        unarchived_total = figures.count(figures.held_not_archived(units, today))
        shown = figures.inactive_rows(units, today, inactive_days, now)
        total, grave = len(shown), sum(1 for row in shown if row.grave)
        months = figures.monthly(units, first, CHART_MONTHS, now)
    return {
        "tally": tally,
        "unarchived_total": unarchived_total,
        "inactive": shown,
        "inactive_total": total,
        "inactive_grave": grave,
        "months": months,
    }


def _work_part(user: User, today: date, now: datetime, kept: Kept | None) -> dict[str, Any]:
    """Figures of the units the user keeps (admin: the whole bureau, its inactive members and
    chart from ``kept``)."""
    units = scope_unit_ids(user)
    month = today.replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    activity = families.any_activity()
    in_month = (
        sa.select(activity)
        .where(
            activity.held_on >= month,
            activity.held_on < following,
            activity.state != ActivityState.CANCELLED,
        )
        .options(joinedload(activity.unit))
        # The order of the starts (held_on is their local date), that of the index of the days.
        .order_by(activity.held_on, activity.starts_at, activity.id)
        .limit(MONTH_SESSIONS_SHOWN)
    )
    in_month = scoped_by_unit(in_month, activity.unit_id, user)
    # Named on the listed activities themselves (not an IN of their ids), in the order of the
    # index of open activities by day: the database reads the first few and stops.
    unarchived = (
        sa.select(activity)
        .where(*figures.not_archived(units, today))
        .options(joinedload(activity.unit))
        .order_by(activity.held_on, activity.starts_at, activity.id)
        .limit(UNARCHIVED_SHOWN)
    )
    inactive_days = settings.get(INACTIVE_DAYS.key)
    found = _figures(units, today, inactive_days, now, kept)
    title = (
        _("Attendance rate by month in the bureau")
        if units is None
        else _("Attendance rate by month in your units")
    )
    chart = charts.monthly_rates(
        [(day, counts.attendance_rate) for day, counts in found["months"]],
        chart_id="attendance-chart",
        title=title,
    )
    return {
        "review_count": badge_count(),  # the badge's own count, computed once per request
        "review_url": url_for("review.index"),
        **found,
        "month_sessions": list(db.session.scalars(in_month)),
        "unarchived": list(db.session.scalars(unarchived)),
        "inactive_days": inactive_days,
        "grave_days": figures.GRAVE_DAYS,
        "chart": chart,
        "chart_title": title,
    }


SORTS = ("name", "sessions", "rate", "inactive", "unarchived")


def _sorted_rows(rows: list[figures.UnitRow], sort: str, descending: bool) -> list[figures.UnitRow]:
    """Rows of every unit sorted by a figure: equal figures keep tree order (sorting is stable,
    also reversed), and a rate of "—" comes last either way."""
    if sort == "rate":
        rated = [r for r in rows if r.attendance_rate is not None]
        unrated = [r for r in rows if r.attendance_rate is None]
        return sorted(rated, key=lambda r: r.attendance_rate, reverse=descending) + unrated
    return sorted(rows, key=lambda r: getattr(r, sort), reverse=descending)


@dataclass(frozen=True)
class TableQuery:
    """What the admin asked of the table of units: sort, direction and page."""

    sort: str | None
    direction: str
    number: int
    per_page: int

    @classmethod
    def from_request(cls) -> "TableQuery":
        sort = text_arg("sort")
        sort = sort if sort in SORTS else None
        direction = text_arg("dir")
        if direction not in ("asc", "desc"):
            direction = "asc" if sort in (None, "name") else "desc"
        return cls(sort, direction, page_number(), int(current_app.config["PAGE_SIZE"]))


def _table_rows(
    query: TableQuery, today: date, inactive_days: int, now: datetime
) -> tuple[list[figures.UnitRow], int]:
    """The page's rows of the table of units and the number of rows of the table."""
    year = (date(today.year, 1, 1), date(today.year + 1, 1, 1))
    descending = query.direction == "desc"
    start = (query.number - 1) * query.per_page
    if query.sort in (None, "name"):
        # Tree and name order are orders of SQL: the page's units alone are read and figured.
        places = figures.unit_places(query.sort == "name", descending, start, query.per_page)
        rows = figures.unit_rows(*year, today, inactive_days, now, places)
        return rows, figures.unit_place_count()
    rows = _sorted_rows(figures.unit_rows(*year, today, inactive_days, now), query.sort, descending)
    return rows[start : start + query.per_page], len(rows)


def _unit_table(query: TableQuery, today: date, now: datetime, kept: Kept) -> dict[str, Any]:
    inactive_days = settings.get(INACTIVE_DAYS.key)
    name = bureau.units_key(
        today, inactive_days, query.sort, query.direction, query.number, query.per_page
    )
    rows, total = bureau.units_page(
        kept, name, lambda: _table_rows(query, today, inactive_days, now)
    )
    # A heading sorts by its column; names first A→Z, figures largest first; again: reversed.
    next_direction = {key: "asc" if key == "name" else "desc" for key in SORTS}
    if query.sort is not None:
        next_direction[query.sort] = "asc" if query.direction == "desc" else "desc"
    return {
        "units_page": ListPagination(rows, query.number, query.per_page, total),
        "sort": query.sort,
        "direction": query.direction,
        "next_direction": next_direction,
        "year": today.year,
    }


@bp.route("/")
@login_required
def index() -> Response:
    today = local_today()
    now = utcnow()
    admin = current_user.role is Role.ADMIN
    context: dict[str, Any] = {
        "Role": Role,
        "statuses": PartyStatus,
        "today": today,
        "now": now,
        "memberships": [],
        "mine": None,
        "work": None,
        "counts": None,
        "scope_units": [],
    }
    if current_user.person_id is not None:
        person = db.session.scalar(
            sa.select(Person)
            .where(Person.id == current_user.person_id)
            .options(selectinload(Person.memberships).joinedload(Membership.unit))
        )
        if person is not None:
            context["memberships"] = person.current_memberships(today)
            context["mine"] = _member_part(current_user, person, context["memberships"], today, now)
    kept = Kept(now) if admin else None
    if kept is not None and wants_fragment():
        # Sorting and paging the admin's table of units replace the table only.
        table = _unit_table(TableQuery.from_request(), today, now, kept)
        return render_fragment("main/_units.html", **table)
    if can_plan_activities(current_user):
        context["counts"] = roster_counts(current_user)
        context["work"] = _work_part(current_user, today, now, kept)
    if current_user.role is Role.SECRETARY:
        context["scope_units"] = current_user.units
    if kept is not None:
        context.update(_unit_table(TableQuery.from_request(), today, now, kept))
    return render_page("main/dashboard.html", **context)

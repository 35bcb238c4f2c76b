"""The record families built on the shared core: each registers what the core needs to know
about it (its model, its page, what it offers), so the core's routes and templates serve every
family without naming one."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import with_polymorphic

from app.activities.models import Activity, ActivityFamily
from app.auth.models import Role

if TYPE_CHECKING:
    from app.auth.models import User
    from app.files.document import Section
    from app.people.models import Person
    from app.reports.figures import Counts

# A sign-in sheet's facts: lines of (label, value) pairs, short facts two to a line.
FactLines = list[list[tuple[str, str]]]


def _no_quorum(_activity: Activity, _counts: "Counts") -> bool | None:
    return None


def _no_extras(_activity: Activity) -> dict[str, Any]:
    return {}


# Those who plan activities: a family's panels given as a plain tuple are theirs.
PLANNERS = (Role.SECRETARY, Role.ADMIN)


@dataclass(frozen=True)
class PersonSection:
    """A section of a person's page: its partial, which reads ``section``, and what loads
    ``section`` for the person as the viewer may see them (a constant number of queries)."""

    place: int
    partial: str
    load: Callable[["Person", "User"], dict[str, Any]]


@dataclass(frozen=True)
class Family:
    """One record family. ``show_endpoint`` takes the activity's id as ``show_arg``."""

    key: ActivityFamily
    model: type[Activity]
    label: object
    show_endpoint: str
    # Where the family stands among the others: in the navigation, the dashboard's links and
    # panels, the table of units (the first family's list links the unit's name).
    place: int = 100
    show_arg: str = "activity_id"
    index_endpoint: str | None = None
    index_label: object = ""
    # Whether the family's list is an entry of the navigation and of the dashboard's "Go to".
    navigation: bool = False
    # Whether the list takes ``unit=`` (a unit's id) to show that unit's activities; the
    # dashboard's table of units then links each unit to it.
    index_by_unit: bool = False
    # The list's link under "My sessions" on the dashboard of someone with a record of their own
    # (the list showing them theirs); empty: none.
    mine_label: object = ""
    # The family's calendar of the month, linked from the dashboard's month figures.
    calendar_endpoint: str | None = None
    calendar_label: object = ""
    # Partials the family adds to the dashboard, by role. Secretaries' and the admin's read the
    # dashboard's ``work`` context, members' (shown with one's own record, whatever the account's
    # role) read ``mine``. A plain tuple: the panels of those who plan activities.
    dashboard_panels: Mapping[Role, tuple[str, ...]] | tuple[str, ...] = ()
    # The family's sections of a person's page.
    person_sections: tuple[PersonSection, ...] = ()
    make_up: bool = False
    reflections: bool = False
    qr: bool = False
    # Whether enough were present for decisions to stand, where the family sets a quorum.
    quorum: Callable[[Activity, "Counts"], bool | None] = _no_quorum
    # The rule the quorum follows, as shown beside it.
    quorum_rule: Callable[[Activity], str] = lambda _activity: ""
    # The facts printed at the head of the sign-in sheet.
    sheet_facts: Callable[[Activity], FactLines] = lambda _activity: []
    # The family's facts on the meeting record, after its title (the core adds when, where, who).
    record_facts: Callable[[Activity], FactLines] = lambda _activity: []
    # The family's own sections of the meeting record, after attendance and guests.
    record_sections: Callable[[Activity], list["Section"]] = lambda _activity: []
    # Loader options for the family's own relationships shown on its pages.
    load_options: Callable[[], Sequence[Any]] = lambda: ()
    # What the family's parts of the record page need beyond the core's context.
    record_extras: Callable[[Activity], dict[str, Any]] = _no_extras
    # What sort of activity it is, as lists mixing families show it (study: the session's kind).
    kind_label: Callable[[Activity], str] = lambda _activity: ""
    # A partial shown instead of the attendance figures (None: the figures).
    counts_partial: Callable[[Activity], str | None] = lambda _activity: None
    # The family's kinds (a LabelledEnum) and the column holding an activity's kind (its table's
    # ``id`` is the activity's), for what counts a kind of activity (a duty item's target);
    # None: the family has no kinds (every one of its activities is of its one sort).
    kinds: type | None = None
    kind_column: Callable[[], Any] | None = None
    # Makes one activity from the core's fields (ActivityForm's: title, unit, starts_at, ends_at,
    # late_reason), the family's own at their defaults, with its default expected list; added to
    # the session, not committed. How the core's specifications make an activity of each family.
    create: Callable[[dict[str, Any], "User"], Activity] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.dashboard_panels, tuple):
            panels = dict.fromkeys(PLANNERS, self.dashboard_panels)
            object.__setattr__(self, "dashboard_panels", panels)


_families: dict[ActivityFamily, Family] = {}


def register(family: Family) -> Family:
    _families[family.key] = family
    return family


def family_for(key: ActivityFamily) -> Family:
    return _families[key]


def family_of(activity: Activity) -> Family:
    return _families[activity.family]


def registered() -> list[Family]:
    """The families in the order of their place."""
    return sorted(_families.values(), key=lambda family: family.place)


def any_activity() -> Any:
    """An activity of any registered family, each family's own columns loaded in the same
    query (for lists that mix families: the dashboard, the personal record)."""
    models = dict.fromkeys(f.model for f in registered() if f.model is not Activity)
    return with_polymorphic(Activity, list(models))


# (place, endpoint, label) of the tracked records' lists with a navigation entry of their own.
_record_lists: dict[str, tuple[int, object]] = {}


def register_list(place: int, endpoint: str, label: object) -> None:
    """A tracked record's list (volunteer projects, duty lists) in the navigation, among the
    families' lists by place."""
    _record_lists[endpoint] = (place, label)


def navigation_entries() -> list[tuple[str, object]]:
    """(endpoint, label) of each family's list that has a navigation entry, and of each
    registered list of tracked records, in the order of their places."""
    entries = [
        (family.place, family.index_endpoint, family.index_label)
        for family in registered()
        if family.navigation and family.index_endpoint
    ]
    entries += [(place, endpoint, label) for endpoint, (place, label) in _record_lists.items()]
    return [(endpoint, label) for _place, endpoint, label in sorted(entries, key=lambda e: e[0])]


def calendar_entries() -> list[tuple[str, object]]:
    """(endpoint, label) of each family's calendar."""
    return [
        (family.calendar_endpoint, family.calendar_label)
        for family in registered()
        if family.calendar_endpoint
    ]


def mine_entries() -> list[tuple[str, object]]:
    """(endpoint, label) of each family's list that a member opens for their own activities."""
    return [
        (family.index_endpoint, family.mine_label)
        for family in registered()
        if family.index_endpoint and family.mine_label
    ]


def unit_list_entries() -> list[tuple[str, object]]:
    """(endpoint, label) of each family's list that shows one unit's activities (``unit=``)."""
    return [
        (family.index_endpoint, family.index_label)
        for family in registered()
        if family.index_endpoint and family.index_by_unit
    ]


# (place, panel, roles) of the tracked records' dashboard panels.
_record_panels: list[tuple[int, str, tuple[Role, ...]]] = []


def register_panel(place: int, panel: str, roles: tuple[Role, ...] = PLANNERS) -> None:
    """A tracked record's panel on the dashboards of ``roles`` (the planners' by default),
    among the families' panels by place."""
    _record_panels.append((place, panel, roles))


def dashboard_panels(role: Role) -> list[str]:
    """The families' panels on the dashboard of ``role``, family by family, and the tracked
    records' registered ones, in the order of their places."""
    panels = [
        (family.place, panel)
        for family in registered()
        for panel in family.dashboard_panels.get(role, ())  # type: ignore[union-attr]
    ]
    panels += [(place, panel) for place, panel, roles in _record_panels if role in roles]
    return [panel for _place, panel in sorted(panels, key=lambda entry: entry[0])]


def person_sections(person: "Person", viewer: "User") -> list[tuple[str, dict[str, Any]]]:
    """(partial, its ``section``) of every family's section of the person's page, by place."""
    sections = sorted(
        (section for family in registered() for section in family.person_sections),
        key=lambda section: section.place,
    )
    return [(section.partial, section.load(person, viewer)) for section in sections]


def kind_keys() -> list[tuple[str, str]]:
    """(key, label) of every kind of every family, in the families' order: ``family:kind``, or
    ``family`` for a family without kinds — what a count of kinds of activities names."""
    keys = []
    for family in registered():
        if family.kinds is None:
            keys.append((family.key.value, str(family.label)))
            continue
        keys += [
            (f"{family.key.value}:{kind.value}", f"{family.label} · {kind.label}")
            for kind in family.kinds  # type: ignore[attr-defined]
        ]
    return keys


def of_kinds(keys: Sequence[str]) -> sa.ColumnElement[bool]:
    """SQL over ``Activity``: of one of ``keys`` (``kind_keys``'s). Each family's kinds are
    looked up in its own table by the activity's id (correlated), never a walk of its rows."""
    chosen: dict[str, list[str]] = {}
    for key in keys:
        family, _sep, kind = key.partition(":")
        chosen.setdefault(family, []).append(kind)
    conditions: list[sa.ColumnElement[bool]] = []
    for family in registered():
        kinds = chosen.get(family.key.value)
        if kinds is None:
            continue
        of_family = Activity.family == family.key
        if family.kind_column is None or "" in kinds:
            conditions.append(of_family)
            continue
        # The family's own row of the kind says the family too: no condition on the family
        # column, which would lead the planner to walk the family's days instead of the few
        # units' a count names.
        column = family.kind_column()
        table = column.table
        found = sa.select(table.c.id).where(table.c.id == Activity.id, column.in_(kinds))
        conditions.append(found.correlate_except(table).exists())
    return sa.or_(sa.false(), *conditions)


def kind_label(activity: Activity) -> str:
    return family_of(activity).kind_label(activity)


def show_url(activity: Activity, **values: Any) -> str:
    """The address of an activity's own page, whatever its family."""
    family = family_of(activity)
    return url_for(family.show_endpoint, **{family.show_arg: activity.id}, **values)


def index_url(activity: Activity) -> str | None:
    """The family's list, for a breadcrumb; None when the family has none."""
    endpoint = family_of(activity).index_endpoint
    return url_for(endpoint) if endpoint else None

"""Service days 志愿服务日: opened from a project's page, the hours credited to those present
(the day's, or someone's own), members' volunteer hours (logs + service days, apart from study
hours), the volunteer log a service day already counts, and the year's figures by hand. The
core's specifications run for service days in ``test_activities.py``."""

import re
from datetime import date, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from activity_helpers import HX, post
from conftest import csrf_token

from app.activities import services as core
from app.activities.forms import to_utc
from app.activities.models import AttendanceStatus, Participation
from app.auth.models import User
from app.extensions import db
from app.logs import services as logs
from app.logs.models import LogKind, LogState, MemberLog
from app.people.models import OrgUnit
from app.reports.figures import member_figures
from app.types import local_today, utcnow
from app.volunteer import projects
from app.volunteer.figures import project_year, service_year, unit_lines
from app.volunteer.models import (
    Project,
    ProjectCategory,
    ProjectScope,
    ProjectSource,
    ServiceDay,
    Urgency,
)
from app.volunteer.service_days import create_service_day


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _project(app, world, unit: str = "jiguan") -> int:
    with app.app_context():
        unit = db.session.get(OrgUnit, world[unit])
        category = db.session.scalar(
            sa.select(ProjectCategory.id).where(ProjectCategory.code == "volunteering")
        )
        start = local_today() - timedelta(days=60)
        values = {
            "name": "Help the elderly in Riverside community",
            "category_id": category,
            "source": ProjectSource.PUBLIC_REQUEST,
            "urgency": Urgency.DEADLINE,
            "scope": ProjectScope.UNIT,
            "beneficiaries": "Elderly residents living alone",
            "beneficiaries_count": 30,
            "planned_start": start,
            "planned_end": start + timedelta(days=120),
            "leader_id": None,
            "person_id": None,
            "beneficiary_visits": None,
            "description": None,
        }
        project = projects.create_project(values, unit, _user("secretary"))
        db.session.commit()
        return project.id


def _day(
    world: dict,
    on: date,
    hours: float,
    unit: str = "jiguan",
    served: int | None = None,
    title: str = "Service day",
    **present: AttendanceStatus,
) -> ServiceDay:
    """A service day on ``on`` from 09:00 for ``hours`` with the unit's Party members expected,
    the people named (by their world key) marked by the unit's secretary. In an app context."""
    secretary = _user("secretary" if unit == "jiguan" else "secretary2")
    start = to_utc(on, time(9))
    values = {"title": title, "unit": db.session.get(OrgUnit, world[unit]), "starts_at": start}
    values |= {"ends_at": start + timedelta(hours=hours), "served": served}
    values["late_reason"] = "from the paper sign-in sheet"
    day = create_service_day(values, secretary)
    db.session.flush()
    rows = {row.person_id: row for row in day.participations}
    for key, status in present.items():
        core.mark(rows[world[key]], status, _user("admin"))
    db.session.flush()
    return day


def _row(day_id: int, person_id: int) -> Participation:
    return db.session.scalar(
        sa.select(Participation).where(
            Participation.activity_id == day_id, Participation.person_id == person_id
        )
    )


def _log(person_id: int, on: date, hours: str, state: LogState = LogState.APPROVED) -> None:
    values = {"kind": LogKind.VOLUNTEER, "done_on": on, "hours": Decimal(hours)}
    values |= {"title": "Volunteering", "text": "-", "place": "Park", "beneficiary": "Residents"}
    log = MemberLog(person_id=person_id, state=state, **values)
    db.session.add(log)


def test_a_service_day_opened_from_a_project_credits_its_hours(app, client, auth, world):
    """2 h 45 min is 3.0 h (nearest half hour, halves up); Member J present gets 3.0, Grouped J
    late with their own 1.5, Secretary J absent nothing and no own hours."""
    project_id = _project(app, world)
    auth.login("secretary")
    project_page = client.get(f"/volunteer/{project_id}").get_data(as_text=True)
    opened = f"/volunteer/service-days/new?project={project_id}&amp;unit={world['jiguan']}"
    assert opened in project_page
    form = client.get(opened.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="Help the elderly in Riverside community"' in form
    assert f'<option selected value="{world["jiguan"]}">' in form
    day = (local_today() - timedelta(days=3)).isoformat()
    data = {"title": "Visiting the elderly", "unit_id": str(world["jiguan"]), "day": day}
    data |= {"start": "09:00", "end": "11:45", "served": "24", "late_reason": "paper"}
    created = post(client, f"/volunteer/service-days/new?project={project_id}", data)
    assert created.status_code == 303, created.get_data(as_text=True)
    with app.app_context():
        service = db.session.scalar(sa.select(ServiceDay))
        assert (service.project_id, service.hours, service.served) == (
            project_id,
            Decimal("3.0"),
            24,
        )
        expected = {row.person_id for row in service.participations}
        assert expected == {world["sec_person"], world["member_person"], world["grouped"]}
        rows = {row.person_id: row.id for row in service.participations}
        service_id = service.id
    for key, status in (
        ("member_person", "present"),
        ("grouped", "late"),
        ("sec_person", "absent"),
    ):
        marked = post(
            client, f"/activities/{service_id}/attendance/{rows[world[key]]}", {"status": status}
        )
        assert marked.status_code == 303
    own = post(
        client,
        f"/volunteer/service-days/{service_id}/hours/{rows[world['grouped']]}",
        {"hours": "1.5"},
        HX,
    )
    assert own.status_code == 200 and "1.5" in own.get_data(as_text=True)
    absent = post(
        client,
        f"/volunteer/service-days/{service_id}/hours/{rows[world['sec_person']]}",
        {"hours": "2"},
        HX,
    )
    assert absent.status_code == 422
    odd = post(
        client,
        f"/volunteer/service-days/{service_id}/hours/{rows[world['member_person']]}",
        {"hours": "1.2"},
        HX,
    )
    assert odd.status_code == 422 and "half hours" in odd.get_data(as_text=True)
    typed = post(
        client,
        f"/volunteer/service-days/{service_id}/hours/{rows[world['member_person']]}",
        {"hours": "abc"},
    )
    assert (
        typed.status_code == 303
        and typed.headers["Location"] == f"/volunteer/service-days/{service_id}"
    )
    page = client.get(f"/volunteer/service-days/{service_id}").get_data(as_text=True)
    assert "Volunteer hours of those present" in page
    section = page[page.index("Volunteer hours of those present") :]
    assert "Grouped J" in section and "Member J" in section and "Secretary J" not in section
    project_page = client.get(f"/volunteer/{project_id}").get_data(as_text=True)
    assert "Visiting the elderly" in project_page
    with app.app_context():
        assert _row(service_id, world["sec_person"]).own_hours is None
        assert _row(service_id, world["member_person"]).own_hours is None
        found = member_figures(
            [world["member_person"], world["grouped"], world["sec_person"]],
            date(local_today().year - 1, 1, 1),
            date(local_today().year + 1, 1, 1),
        )
        hours = [
            found[world[key]].volunteer_hours for key in ("member_person", "grouped", "sec_person")
        ]
        assert hours == [Decimal("3.0"), Decimal("1.5"), Decimal("0.0")]
        # Volunteer hours are kept apart: no study hour comes of a service day.
        assert found[world["member_person"]].study_hours == Decimal("0.0")


def test_the_members_home_shows_volunteer_hours_of_logs_and_service_days(app, client, auth, world):
    today = local_today()
    with app.app_context():
        _day(
            world,
            today - timedelta(days=1) if today.day > 1 else today,
            2,
            member_person=AttendanceStatus.PRESENT,
        )
        _log(world["member_person"], today.replace(day=1) if today.day > 2 else today, "1.5")
        db.session.commit()
    auth.login("member")
    home = client.get("/").get_data(as_text=True)
    assert "3.5" in home[home.index("Volunteer hours") :][:400]


def test_a_volunteer_log_of_a_day_at_a_service_day_is_refused_with_a_link(app, client, auth, world):
    on = local_today() - timedelta(days=4)
    with app.app_context():
        day = _day(world, on, 2, member_person=AttendanceStatus.PRESENT, title="River clean-up")
        other = _day(world, on - timedelta(days=3), 2, title="Park day")  # nobody there
        db.session.commit()
        day_id, other_id = day.id, other.id
        member = _user("member")
        # Sent before the secretary marked the day: approving it now would count the day twice.
        early = logs.submit(
            member.person,
            {
                "kind": LogKind.VOLUNTEER,
                "done_on": on - timedelta(days=3),
                "hours": Decimal("2"),
                "title": "Park",
                "text": "-",
                "place": "Park",
                "beneficiary": "Residents",
            },
        )
        db.session.commit()
        early_id = early.id
        rows = {row.person_id: row for row in db.session.get(ServiceDay, other_id).participations}
        core.mark(rows[world["member_person"]], AttendanceStatus.PRESENT, _user("secretary"))
        db.session.commit()
    auth.login("member")
    data = {"kind": "volunteer", "done_on": on.isoformat(), "hours": "2", "title": "Clean-up"}
    data |= {"text": "Picked up litter", "place": "River", "beneficiary": "Residents"}
    body = data | {"csrf_token": csrf_token(client, "/logs/")}
    refused = client.post("/logs/new", data=body, content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f'<a href="/volunteer/service-days/{day_id}">River clean-up</a>' in html
    trained = data | {"kind": "training", "csrf_token": csrf_token(client, "/logs/")}
    assert (
        client.post("/logs/new", data=trained, content_type="multipart/form-data").status_code
        == 303
    )
    with app.app_context():
        kinds = db.session.scalars(sa.select(MemberLog.kind).where(MemberLog.done_on == on)).all()
        assert kinds == [LogKind.TRAINING]
    # The secretary approving the log sent before the day was marked: refused, linked, pending.
    auth.logout()
    auth.login("secretary")
    approved = post(client, f"/review/log/{early_id}", {"decision": "approve"})
    assert approved.status_code == 303
    queue = client.get(approved.headers["Location"]).get_data(as_text=True)
    assert f'<a href="/volunteer/service-days/{other_id}">Park day</a>' in queue
    with app.app_context():
        assert db.session.get(MemberLog, early_id).state is LogState.PENDING


def _a_year_of_days(world: dict, year: int) -> None:
    """jiguan in ``year``: a 3.0 h day serving 40 (Member J present, Grouped J late with their
    own 1.5 h, Secretary J absent), a 2.0 h day (Member J present, none served given), a
    cancelled day serving 10 (nowhere), the year before's day (not this year's); cujin: a
    1.0 h day serving 5 (Member C present), the bureau's only. Member J's approved volunteer
    log of 2.0 h counts, a pending one of 5 h does not, nor one of 3.0 h dated on the busy day
    (approved before the day was marked: the day counts). In an app context, committed."""
    first = date(year, 1, 1)
    present, late = AttendanceStatus.PRESENT, AttendanceStatus.LATE
    busy = _day(
        world,
        first,
        3,
        served=40,
        member_person=present,
        grouped=late,
        sec_person=AttendanceStatus.ABSENT,
    )
    _row(busy.id, world["grouped"]).own_hours = Decimal("1.5")
    _day(world, first + timedelta(days=1), 2, member_person=present)
    cancelled = _day(world, first + timedelta(days=2), 2, served=10)
    core.cancel(cancelled, "rain")
    _day(world, date(year - 1, 12, 30), 4, served=99, member_person=present)
    _day(world, first + timedelta(days=1), 1, unit="cujin", served=5, cujin_member=present)
    _log(world["member_person"], first + timedelta(days=5), "2.0")
    _log(world["member_person"], first + timedelta(days=6), "5.0", LogState.PENDING)
    # Approved before the busy day was marked: that day's hours count, the log's do not.
    _log(world["member_person"], first, "3.0")
    db.session.commit()


def test_the_years_service_figures_by_hand(app, world):
    """``_a_year_of_days``: jiguan 2 days, 3 present, 40 served, 6.5 h + 2.0 h of logs; the
    bureau 3 days, 4 present, 45 served, 7.5 h + 2.0 h; Member J 5.0 h + 2.0 h."""
    today = local_today()
    year = today.year
    with app.app_context():
        _a_year_of_days(world, year)
        now = to_utc(today, time(23, 59))
        jiguan = service_year(db.session.get(OrgUnit, world["jiguan"]), year, now)
        assert (jiguan.days, jiguan.attendances, jiguan.served) == (2, 3, 40)
        assert (jiguan.service_hours, jiguan.log_hours) == (Decimal("6.5"), Decimal("2.0"))
        assert jiguan.volunteer_hours == Decimal("8.5")
        bureau = service_year(None, year, now)
        assert (bureau.days, bureau.attendances, bureau.served) == (3, 4, 45)
        assert bureau.volunteer_hours == Decimal("9.5")
        member = member_figures([world["member_person"]], date(year, 1, 1), date(year + 1, 1, 1))
        mine = member[world["member_person"]]
        assert (mine.service_hours, mine.volunteer_log_hours) == (Decimal("5.0"), Decimal("2.0"))
        assert mine.volunteer_hours == Decimal("7.0") and mine.study_hours == Decimal("0.0")


def test_the_admins_table_of_units_says_what_each_units_figures_say(app, client, auth, world):
    """The bureau, the 党组 (nothing) and both branches, each with the units below it: the same
    service days and projects as their own figures, whatever the page's length."""
    today = local_today()
    _project(app, world)
    with app.app_context():
        _a_year_of_days(world, today.year)
        now = to_utc(today, time(23, 59))
        places = [(world[key], key, 0) for key in ("bureau", "dangzu", "jiguan", "cujin")]
        lines = {line.name: line for line in unit_lines(places, today.year, today, now)}
        for key in ("bureau", "dangzu", "jiguan", "cujin"):
            unit = db.session.get(OrgUnit, world[key])
            service = service_year(unit, today.year, now)
            line = lines[key].service
            assert (line.days, line.attendances, line.served, line.service_hours) == (
                service.days,
                service.attendances,
                service.served,
                service.service_hours,
            )
            assert lines[key].projects == project_year(unit, today.year, today)
        assert (lines["jiguan"].service.days, lines["dangzu"].service.days) == (2, 0)
        assert lines["jiguan"].projects.projects == 1 and lines["cujin"].projects.projects == 0
    auth.login("admin")
    page = client.get(f"/volunteer/units?year={today.year}").get_data(as_text=True)
    row = page[page.index("Jiguan branch") :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'class="text-md-end">([^<]*)<', row)
    assert cells[0] == "1" and cells[-3:] == ["2", "6.5", "40"]


def test_only_keepers_open_service_days_and_set_hours(app, client, auth, world):
    with app.app_context():
        day = _day(
            world, local_today() - timedelta(days=2), 2, member_person=AttendanceStatus.PRESENT
        )
        db.session.commit()
        day_id, row_id = day.id, _row(day.id, world["member_person"]).id
    auth.login("member")
    assert client.get("/volunteer/service-days/new").status_code == 403
    assert (
        post(client, f"/volunteer/service-days/{day_id}/hours/{row_id}", {"hours": "8"}).status_code
        == 403
    )
    own = client.get(f"/volunteer/service-days/{day_id}").get_data(as_text=True)
    assert "Volunteer hours of those present" not in own
    auth.logout()
    auth.login("secretary2")
    assert client.get(f"/volunteer/service-days/{day_id}").status_code == 404
    assert (
        post(client, f"/volunteer/service-days/{day_id}/hours/{row_id}", {"hours": "8"}).status_code
        == 404
    )
    with app.app_context():
        assert _row(day_id, world["member_person"]).own_hours is None


def test_people_served_and_person_times_served_are_counted_apart(app, world):
    """A project done this year serving 30 people (人数), with two service days of it serving 40
    and 25 person-times (人次): the year's people served is 30, its service days' 65."""
    today = local_today()
    project_id = _project(app, world)
    with app.app_context():
        project = db.session.get(Project, project_id)
        start = max(project.planned_start, date(today.year, 1, 1))
        projects.add_entry(
            project,
            {"done_on": start, "text": "Visited", "by_id": None, "by_name": None},
            _user("secretary"),
        )
        db.session.flush()
        db.session.refresh(project)
        projects.complete(project, today, "Done")
        for served in (40, 25):
            day = _day(world, start, 2, served=served, member_person=AttendanceStatus.PRESENT)
            day.project_id = project_id
        db.session.commit()
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        assert project_year(jiguan, today.year, today).people_served == 30
        assert service_year(jiguan, today.year, to_utc(today, time(23, 59))).served == 65


def test_a_service_day_owes_no_make_up_study(app, client, auth, world):
    """Absent from a service day: nothing to make up (the family has no make-up study)."""
    from app.reports.figures import make_ups_owed

    with app.app_context():
        day = _day(
            world, local_today() - timedelta(days=2), 2, member_person=AttendanceStatus.ABSENT
        )
        db.session.commit()
        row = _row(day.id, world["member_person"])
        assert row.status is AttendanceStatus.ABSENT and not row.owes_make_up
        assert make_ups_owed(world["member_person"]) == []
    auth.login("member")
    assert "Make-up study owed" not in client.get("/").get_data(as_text=True)


def test_another_familys_activity_is_not_found_on_the_service_days_pages(app, client, auth, world):
    from app.activities.models import Activity, ActivityFamily
    from app.integrity.services import create_activity

    with app.app_context():
        start = utcnow() - timedelta(days=1)
        values = {"title": "Lecture", "unit": db.session.get(OrgUnit, world["jiguan"])}
        values |= {"starts_at": start, "ends_at": start + timedelta(hours=1), "lecturer_name": "L"}
        lecture = create_activity(values, _user("secretary"))
        db.session.commit()
        lecture_id = lecture.id
        row_id = _row(lecture_id, world["member_person"]).id
        assert db.session.get(Activity, lecture_id).family is ActivityFamily.INTEGRITY
    auth.login("secretary")
    assert client.get(f"/volunteer/service-days/{lecture_id}").status_code == 404
    assert client.get(f"/volunteer/service-days/{lecture_id}/edit").status_code == 404
    hours = post(client, f"/volunteer/service-days/{lecture_id}/hours/{row_id}", {"hours": "1"})
    assert hours.status_code == 404
    with app.app_context():
        assert _row(lecture_id, world["member_person"]).own_hours is None


def test_a_projects_service_day_is_held_by_its_lead_unit_or_below(app, client, auth, world):
    """A project of the 党小组: the branch above it may not hold its service day."""
    project_id = _project(app, world, unit="group")
    auth.login("secretary")
    day = (local_today() - timedelta(days=1)).isoformat()
    data = {"title": "Group's day", "day": day, "start": "09:00", "end": "11:00"}
    url = f"/volunteer/service-days/new?project={project_id}"
    refused = post(client, url, data | {"unit_id": str(world["jiguan"])})
    assert refused.status_code == 422
    assert "held by its lead unit or a unit below it" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceDay)) == 0
    assert post(client, url, data | {"unit_id": str(world["group"])}).status_code == 303

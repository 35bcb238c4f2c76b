"""Responsibility lists 责任清单: who keeps and reads a list, a countable item's progress counted
from the records per period (a matching activity raises it, a non-matching one does not), a
person's item counting the units they belonged to or lectured in, a manual item completed only
with a 履责记实 entry, and the states DOMAIN.md defines — by hand."""

import io
from datetime import date, time, timedelta

import sqlalchemy as sa
from activity_helpers import post
from conftest import csrf_token
from PIL import Image

from app.activities.forms import to_utc
from app.activities.models import ActivityState
from app.auth.models import User
from app.duties import lists
from app.duties.figures import DONE, DUE_SOON, MET, ON_TRACK, OVERDUE, UPCOMING, progress
from app.duties.models import (
    AsRole,
    DutyCategory,
    DutyEntry,
    DutyItem,
    DutyList,
    ManualStatus,
    Period,
)
from app.evidence.models import Evidence
from app.extensions import db
from app.integrity.models import IntegrityKind
from app.integrity.services import create_activity
from app.people.models import OrgUnit, Person
from app.study.models import StudyKind
from app.study.services import create_session
from app.types import local_today, utcnow

LAST_YEAR = local_today().year - 1


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _list(world: dict, person: str | None = None, unit: str = "jiguan") -> DutyList:
    """A list of LAST_YEAR issued by ``unit``: a person's (their world key) or the unit's own."""
    issuer = db.session.get(OrgUnit, world[unit])
    values = {"unit": issuer, "year": LAST_YEAR, "title": "List", "post": None, "areas": None}
    values |= {"business_duty": None, "party_duty": None, "integrity_duty": None}
    if person is None:
        values["owner_unit"] = issuer
    else:
        values["person"] = db.session.get(Person, world[person])
    duty_list = lists.create_list(values, _user("admin"))
    db.session.flush()
    return duty_list


def _item(duty_list: DutyList, **own: object) -> DutyItem:
    values: dict = {"text": "Item", "category": DutyCategory.PARTY, "owner_id": None}
    values |= {"pressed_to": None, "period": Period.YEAR, "due_on": None, "target": None}
    values |= {"kinds": None, "unit_ids": None, "as_role": AsRole.ANY}
    item = lists.add_item(duty_list, values | own, _user("admin"))
    db.session.flush()
    db.session.refresh(duty_list)
    return item


def _session(world: dict, day: date, kind: StudyKind, unit: str = "jiguan") -> None:
    start = to_utc(day, time(9))
    values = {"title": kind.value, "kind": kind, "unit": db.session.get(OrgUnit, world[unit])}
    values |= {"starts_at": start, "ends_at": start + timedelta(hours=1), "late_reason": "paper"}
    create_session(values, _user("admin"))


def test_a_quarterly_item_is_counted_per_quarter_from_the_matching_sessions(app, world):
    """jiguan's collective list, "a Party lecture each quarter" of last year: one in Q1 (and a
    general meeting, not counted), two in Q3, one cancelled in Q2, cujin's in Q2 (not jiguan's),
    and one of the 党小组 in Q4 (a unit below: counted). Q1 met, Q2 overdue, Q3 met, Q4 met —
    the year is overdue, since Q2 ended unmet."""
    with app.app_context():
        duty_list = _list(world)
        item = _item(duty_list, target=1, period=Period.QUARTER, kinds=["study:party_lecture"])
        y = LAST_YEAR
        _session(world, date(y, 2, 10), StudyKind.PARTY_LECTURE)
        _session(world, date(y, 2, 11), StudyKind.GENERAL_MEETING)
        _session(world, date(y, 5, 12), StudyKind.PARTY_LECTURE, unit="cujin")
        _session(world, date(y, 8, 1), StudyKind.PARTY_LECTURE)
        _session(world, date(y, 9, 1), StudyKind.PARTY_LECTURE)
        _session(world, date(y, 11, 20), StudyKind.PARTY_LECTURE, unit="group")
        start = to_utc(date(y, 6, 3), time(9))
        cancelled = create_session(
            {
                "title": "Off",
                "kind": StudyKind.PARTY_LECTURE,
                "unit": duty_list.unit,
                "starts_at": start,
                "ends_at": start + timedelta(hours=1),
                "late_reason": "paper",
            },
            _user("admin"),
        )
        cancelled.state = ActivityState.CANCELLED
        db.session.commit()
        found = progress(duty_list, local_today(), utcnow(), 14)[item.id]
        assert [line.count for line in found.lines] == [1, 0, 2, 1]
        assert [line.state for line in found.lines] == [MET, OVERDUE, MET, MET]
        assert found.state == OVERDUE


def test_a_leaders_item_counts_their_units_and_their_lectures(app, world):
    """Secretary J's list: "give an integrity lecture each year" counts the lectures in jiguan
    (their unit) where they lectured — not one where someone else did, nor one in cujin, where
    they hold no membership. "Two branch meetings a year" counts jiguan's, not cujin's."""
    with app.app_context():
        duty_list = _list(world, person="sec_person")
        lecture = _item(duty_list, target=1, kinds=["integrity:lecture"], as_role=AsRole.LECTURER)
        meetings = _item(duty_list, target=2, kinds=["study:general_meeting"])
        y = LAST_YEAR

        def lecture_by(person: int | None, unit: str, day: date) -> None:
            start = to_utc(day, time(15))
            values = {"title": "廉政党课", "kind": IntegrityKind.LECTURE}
            values |= {"unit": db.session.get(OrgUnit, world[unit]), "starts_at": start}
            values |= {"ends_at": start + timedelta(hours=1), "late_reason": "paper"}
            values |= {"lecturer_id": person, "lecturer_name": None if person else "Outsider"}
            create_activity(values, _user("admin"))

        lecture_by(None, "jiguan", date(y, 3, 1))
        lecture_by(world["sec_person"], "cujin", date(y, 4, 1))
        _session(world, date(y, 5, 1), StudyKind.GENERAL_MEETING)
        _session(world, date(y, 5, 2), StudyKind.GENERAL_MEETING, unit="cujin")
        db.session.commit()
        found = progress(duty_list, local_today(), utcnow(), 14)
        assert (found[lecture.id].lines[0].count, found[lecture.id].state) == (0, OVERDUE)
        assert (found[meetings.id].lines[0].count, found[meetings.id].state) == (1, OVERDUE)
        lecture_by(world["sec_person"], "jiguan", date(y, 6, 1))
        _session(world, date(y, 7, 1), StudyKind.GENERAL_MEETING)
        db.session.commit()
        found = progress(duty_list, local_today(), utcnow(), 14)
        assert (found[lecture.id].lines[0].count, found[lecture.id].state) == (1, DONE)
        assert (found[meetings.id].lines[0].count, found[meetings.id].state) == (2, DONE)


def test_the_states_of_this_years_periods(app, world):
    """A monthly item of this year: the months before this one ended unmet (overdue), this one
    is due soon or on track by the days left, the months after it are not begun."""
    today = local_today()
    with app.app_context():
        duty_list = _list(world)
        duty_list.year = today.year
        item = _item(duty_list, target=1, period=Period.MONTH, kinds=["study:themed_day"])
        db.session.commit()
        lines = progress(duty_list, today, utcnow(), 14)[item.id].lines
        month = today.month - 1
        assert all(line.state == OVERDUE for line in lines[:month])
        left = (lines[month].last - today).days
        assert lines[month].state == (DUE_SOON if left <= 14 else ON_TRACK)
        assert all(line.state == UPCOMING for line in lines[month + 1 :])


def test_a_manual_item_is_completed_only_with_a_duty_record(app, client, auth, world):
    """Member J's own list: completing its manual item is refused (nothing changed) until a
    履责记实 entry names it; the entry keeps its photo; then it is done. Member J reads and
    reports on it; the other branch's secretary is told it does not exist."""
    with app.app_context():
        duty_list = _list(world, person="member_person")
        item = _item(duty_list, text="Visit the enterprises of the park")
        db.session.commit()
        list_id, item_id = duty_list.id, item.id
    auth.login("member")
    page = client.get(f"/duties/{list_id}")
    assert page.status_code == 200 and "Visit the enterprises of the park" in page.get_data(
        as_text=True
    )
    done = {"status": "done", "completed_on": local_today().isoformat()}
    refused = post(client, f"/duties/items/{item_id}/status", done)
    assert refused.status_code == 303
    with app.app_context():
        assert db.session.get(DutyItem, item_id).status is ManualStatus.NOT_STARTED
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(photo, "PNG")
    data = {"done_on": (local_today() - timedelta(days=1)).isoformat(), "title": "Visited"}
    data |= {"text": "Visited three enterprises", "items": str(item_id)}
    body = data | {"csrf_token": csrf_token(client, "/auth/password")}
    body["files"] = [(io.BytesIO(photo.getvalue()), "visit.png")]
    entry = client.post(f"/duties/{list_id}/entries", data=body, content_type="multipart/form-data")
    assert entry.status_code == 303
    assert post(client, f"/duties/items/{item_id}/status", done).status_code == 303
    with app.app_context():
        item = db.session.get(DutyItem, item_id)
        assert item.status is ManualStatus.DONE and item.completed_on == local_today()
        entry = db.session.scalar(sa.select(DutyEntry))
        assert [linked.id for linked in entry.items] == [item_id]
        assert db.session.scalar(sa.select(Evidence.duty_entry_id)) == entry.id
        state = progress(db.session.get(DutyList, list_id), local_today(), utcnow(), 14)
        assert state[item_id].state == DONE
    auth.logout()
    auth.login("secretary2")
    assert client.get(f"/duties/{list_id}").status_code == 404
    assert (
        post(client, f"/duties/items/{item_id}/status", {"status": "not_started"}).status_code
        == 404
    )


def test_who_keeps_and_who_reads_a_list(app, client, auth, world):
    """jiguan issued Member J's list: its secretary and the admin keep it, Member J reads it
    and may not add items, the other branch's secretary never sees it; the year's lists show
    each only what they may read."""
    with app.app_context():
        mine = _list(world, person="member_person")
        theirs = _list(world, person="cujin_member", unit="cujin")
        db.session.commit()
        mine_id, theirs_id = mine.id, theirs.id
    auth.login("member")
    assert client.get(f"/duties/{mine_id}").status_code == 200
    assert client.get(f"/duties/{mine_id}/items/new").status_code == 403
    assert client.get(f"/duties/{theirs_id}").status_code == 404
    listed = client.get(f"/duties/?year={LAST_YEAR}").get_data(as_text=True)
    assert f"/duties/{mine_id}" in listed and f"/duties/{theirs_id}" not in listed
    auth.logout()
    auth.login("secretary")
    assert client.get(f"/duties/{mine_id}/items/new").status_code == 200
    assert client.get(f"/duties/{theirs_id}").status_code == 404
    auth.logout()
    auth.login("admin")
    listed = client.get(f"/duties/?year={LAST_YEAR}").get_data(as_text=True)
    assert f"/duties/{mine_id}" in listed and f"/duties/{theirs_id}" in listed


def test_a_countable_item_added_through_the_form_rises_with_a_matching_activity(
    app, client, auth, world
):
    with app.app_context():
        duty_list = _list(world)
        db.session.commit()
        list_id = duty_list.id
    auth.login("secretary")
    data = {"text": "Hold a Party lecture", "category": "party", "target": "1", "period": "year"}
    data |= {"kinds": "study:party_lecture", "as_role": "any"}
    assert post(client, f"/duties/{list_id}/items/new", data).status_code == 303
    no_kinds = post(client, f"/duties/{list_id}/items/new", data | {"kinds": ""})
    assert no_kinds.status_code == 422
    assert "Choose the activities a countable item counts." in no_kinds.get_data(as_text=True)
    page = client.get(f"/duties/{list_id}").get_data(as_text=True)
    assert "0/1" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DutyItem)) == 1
        _session(world, date(LAST_YEAR, 3, 3), StudyKind.GENERAL_MEETING)
        db.session.commit()
    assert "0/1" in client.get(f"/duties/{list_id}").get_data(as_text=True)
    with app.app_context():
        _session(world, date(LAST_YEAR, 3, 4), StudyKind.PARTY_LECTURE)
        db.session.commit()
    assert "1/1" in client.get(f"/duties/{list_id}").get_data(as_text=True)

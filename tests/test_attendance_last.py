"""Each person's latest expected and present session per unit (``attendance_last``): every write
``app.activities.tally.LAST_WRITES`` lists keeps it equal to the rows, the inactive-members
warning read through it stays exact (presence marked before a session starts does not hide a
member), and the invariants catch a stale row."""

from datetime import date, timedelta

import sqlalchemy as sa
import test_tally
from test_dashboard import account, row_of, session_at, unit
from test_tally import held_session

from app.activities import services, tally
from app.activities.models import (
    AttendanceLast,
    AttendanceStatus,
    ParticipantRole,
    RecordedVia,
)
from app.auth.policy import subtree_ids
from app.demo import invariants
from app.extensions import db
from app.people.models import Person
from app.reports import figures
from app.study.models import StudyKind
from app.types import local_today, utcnow

held = test_tally.held  # the fixture: a session of jiguan held an hour ago


def assert_fresh() -> None:
    db.session.flush()
    assert invariants.last_fresh(db) == []


def last_of(person_id: int, code: str) -> AttendanceLast | None:
    db.session.expire_all()
    return db.session.get(AttendanceLast, (person_id, unit(code).id))


def inactive_ids() -> set[int]:
    return {person.id for person, _last in figures.inactive_members(None, local_today(), 90)}


def test_the_module_lists_every_write():
    assert [write.name for write in tally.LAST_WRITES] == ["participation", "activity"]


def test_a_new_session_names_its_expected_people(app, held):
    with app.app_context():
        kept = last_of(held["member_person"], "jiguan")
        assert (kept.last_expected_on, kept.last_present_on) == (
            held_session(held).held_on,
            None,
        )
        assert_fresh()
        assert held["member_person"] in inactive_ids()


def test_participation_status(app, held):
    with app.app_context():
        session = held_session(held)
        row = row_of(session, held["member_person"])
        services.mark(row, AttendanceStatus.PRESENT, account("secretary"))
        assert_fresh()
        assert last_of(held["member_person"], "jiguan").last_present_on == session.held_on
        assert held["member_person"] not in inactive_ids()
        services.mark(row, AttendanceStatus.LEAVE, account("secretary"))  # leave is not presence
        assert_fresh()
        assert last_of(held["member_person"], "jiguan").last_present_on is None
        assert held["member_person"] in inactive_ids()


def test_participation_role_added_and_removed(app, held):
    with app.app_context():
        session = held_session(held)
        row_of(session, held["grouped"]).role = ParticipantRole.NON_VOTING
        assert_fresh()
        assert last_of(held["grouped"], "jiguan") is None
        assert held["grouped"] not in inactive_ids()
        row_of(session, held["grouped"]).role = ParticipantRole.EXPECTED
        assert_fresh()
        services.remove_participant(row_of(session, held["grouped"]))
        assert_fresh()
        assert last_of(held["grouped"], "jiguan") is None
        person = db.session.get(Person, held["cujin_member"])
        services.add_participant(session, person, ParticipantRole.EXPECTED)
        assert_fresh()
        assert last_of(held["cujin_member"], "jiguan").last_expected_on == session.held_on


def test_check_in_confirmation(app, held):
    with app.app_context():
        session = session_at(unit("jiguan"), -timedelta(minutes=10), 2, title="Under way")
        db.session.flush()
        row = row_of(session, held["member_person"])
        services.check_in(row, RecordedVia.BUTTON, account("member"))
        assert_fresh()
        assert last_of(held["member_person"], "jiguan").last_present_on is None  # waits
        services.confirm_check_in(row, account("secretary"))
        assert_fresh()
        assert last_of(held["member_person"], "jiguan").last_present_on == session.held_on
        assert held["member_person"] not in inactive_ids()


def test_activity_cancel_date_unit_and_kind(app, held):
    with app.app_context():
        session = held_session(held)
        on = session.held_on
        services.mark(
            row_of(session, held["member_person"]), AttendanceStatus.PRESENT, account("secretary")
        )
        session.kind = StudyKind.HEART_TALK  # talks are not attendance
        assert_fresh()
        assert last_of(held["member_person"], "jiguan") is None
        session.kind = StudyKind.GENERAL_MEETING
        session.unit_id = unit("cujin").id
        assert_fresh()
        assert last_of(held["member_person"], "jiguan") is None
        assert last_of(held["member_person"], "cujin").last_present_on == on
        session.held_on = on - timedelta(days=200)
        assert_fresh()
        assert last_of(held["member_person"], "cujin").last_present_on == on - timedelta(days=200)
        row = row_of(session, held["member_person"])
        services.mark(row, AttendanceStatus.UNMARKED, account("secretary"))
        services.cancel(session, "The room was taken.")
        assert_fresh()
        assert last_of(held["member_person"], "cujin") is None


def test_presence_marked_before_the_start_hides_no_one(app, held):
    """Absent at the session held an hour ago, checked in with the code at one starting in a few
    minutes (the check-in window opens before the start): still inactive, as the rule reads
    only sessions that have started; once that one has started, no longer."""
    with app.app_context():
        services.mark(
            row_of(held_session(held), held["member_person"]),
            AttendanceStatus.ABSENT,
            account("secretary"),
        )
        soon = session_at(unit("jiguan"), timedelta(minutes=5), 1, title="Soon")
        db.session.flush()
        services.check_in(row_of(soon, held["member_person"]), RecordedVia.QR, account("member"))
        assert_fresh()
        assert last_of(held["member_person"], "jiguan").last_present_at > utcnow()
        assert held["member_person"] in inactive_ids()
        later = utcnow() + timedelta(minutes=10)
        listed = figures.inactive_members(None, local_today(), 90, later)
        assert held["member_person"] not in {person.id for person, _last in listed}


def test_the_admin_table_counts_through_it(app, held):
    with app.app_context():
        year = date(local_today().year, 1, 1)
        rows = figures.unit_rows(year, date(year.year + 1, 1, 1), local_today(), 90)
        jiguan = next(row for row in rows if row.unit_id == unit("jiguan").id)
        units = sa.select(sa.literal(unit("jiguan").id))
        assert jiguan.inactive == len(
            figures.inactive_members(subtree_ids(units), local_today(), 90)
        )


def test_the_invariants_catch_a_stale_row(app, held):
    with app.app_context():
        assert invariants.check(db) == []
        table = AttendanceLast.__table__
        db.session.execute(table.update().values(last_present_on=date(2000, 1, 1)))
        assert any("latest attendance" in v for v in invariants.check(db))
        db.session.execute(table.delete())
        assert any("latest attendance" in v for v in invariants.check(db))
        tally.refresh_all_last(db.session.connection())
        assert invariants.check(db) == []

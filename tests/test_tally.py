"""The maintained figures (``activity_tally``): every write ``app.activities.tally`` lists keeps
them equal to the figures computed from the rows, the admin's figures follow, the audit trail
never records them, and 200 check-ins at once leave them exact."""

import threading
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import PG_URL
from test_dashboard import account, row_of, session_at, sign_in, unit

from app.activities import services, tally
from app.activities.models import (
    ActivityTally,
    AttendanceStatus,
    ParticipantRole,
    Participation,
    RecordedVia,
    UnitTally,
)
from app.audit.models import AuditLog
from app.demo import invariants
from app.extensions import db
from app.people import memberships
from app.people.models import Membership, MembershipRole, PartyStatus, Person
from app.reports import figures
from app.study.models import StudyKind, StudySession
from app.types import local_date, local_today, utcnow


def assert_fresh() -> None:
    db.session.flush()
    assert invariants.tally_fresh(db) == []
    assert invariants.units_fresh(db) == []


def row_figures(code: str, on: date) -> figures.UnitRow:
    """The admin's table row of a unit for the year of ``on`` (its subtree included)."""
    year = date(on.year, 1, 1)
    rows = figures.unit_rows(year, date(on.year + 1, 1, 1), local_today(), 90)
    return next(row for row in rows if row.unit_id == unit(code).id)


@pytest.fixture
def held(app, world) -> dict[str, Any]:
    """A session of jiguan held an hour ago, its three Party members expected."""
    with app.app_context():
        session = session_at(unit("jiguan"), -timedelta(hours=1), 0.5, title="Held")
        db.session.commit()
        return {"id": session.id, **world}


def held_session(held: dict[str, Any]) -> StudySession:
    return db.session.get(StudySession, held["id"])


def test_the_module_lists_every_write():
    assert [write.name for write in tally.WRITES] == ["participation", "activity", "person"]
    assert tally.UNAFFECTING == ("membership", "org_unit")


def test_a_new_session_has_its_row(app, held):
    with app.app_context():
        kept = db.session.get(ActivityTally, held["id"])
        assert (kept.expected, kept.unmarked, kept.rows) == (3, 3, 3)
        assert_fresh()
        assert row_figures("jiguan", held_session(held).held_on).counts.expected == 3


def test_participation_status(app, held):
    with app.app_context():
        session = held_session(held)
        before = row_figures("jiguan", session.held_on).counts
        services.mark(
            row_of(session, held["member_person"]), AttendanceStatus.PRESENT, account("secretary")
        )
        assert_fresh()
        after = row_figures("jiguan", session.held_on).counts
        assert (after.present, after.unmarked) == (before.present + 1, before.unmarked - 1)
        assert db.session.get(ActivityTally, session.id).present == 1


def test_participation_role_expected_to_non_voting(app, held):
    with app.app_context():
        session = held_session(held)
        row_of(session, held["grouped"]).role = ParticipantRole.NON_VOTING
        assert_fresh()
        counts = row_figures("jiguan", session.held_on).counts
        assert (counts.expected, counts.non_voting) == (2, 1)
        row_of(session, held["grouped"]).role = ParticipantRole.EXPECTED
        assert_fresh()
        assert row_figures("jiguan", session.held_on).counts.expected == 3


def test_participation_added_and_removed(app, held):
    with app.app_context():
        session = held_session(held)
        services.remove_participant(row_of(session, held["grouped"]))
        assert_fresh()
        assert row_figures("jiguan", session.held_on).counts.expected == 2
        person = db.session.get(Person, held["cujin_member"])
        services.add_participant(session, person, ParticipantRole.NON_VOTING)
        assert_fresh()
        assert row_figures("jiguan", session.held_on).counts.non_voting == 1


def test_check_in_confirmation(app, held):
    with app.app_context():
        session = session_at(unit("jiguan"), -timedelta(minutes=10), 2, title="Under way")
        db.session.flush()
        row = row_of(session, held["member_person"])
        services.check_in(row, RecordedVia.BUTTON, account("member"))
        assert_fresh()
        assert db.session.get(ActivityTally, session.id).pending == 1
        assert row_figures("jiguan", session.held_on).counts.pending == 1
        services.confirm_check_in(row, account("secretary"))
        assert_fresh()
        kept = db.session.get(ActivityTally, session.id)
        assert (kept.pending, kept.present) == (0, 1)
        assert row_figures("jiguan", session.held_on).counts.present == 1


def test_leave_and_make_up(app, held):
    with app.app_context():
        session = held_session(held)
        secretary = account("secretary")
        row = row_of(session, held["member_person"])
        services.mark(row, AttendanceStatus.LEAVE, secretary)
        assert_fresh()
        assert row_figures("jiguan", session.held_on).counts.leave == 1
        services.submit_make_up(row, "Read the materials.")
        services.review_make_up(row, True, None, secretary)
        assert_fresh()
        counts = row_figures("jiguan", session.held_on).counts
        assert counts.make_ups == 1
        assert counts.participation_rate == figures.rate(1, 3)


def test_person_party_status_and_its_dates(app, held):
    with app.app_context():
        session = held_session(held)
        services.mark(
            row_of(session, held["member_person"]), AttendanceStatus.PRESENT, account("secretary")
        )
        db.session.flush()
        person = db.session.get(Person, held["member_person"])
        person.regularised_on = session.held_on + timedelta(days=1)  # 预备 on the day
        assert_fresh()
        counts = row_figures("jiguan", session.held_on).counts
        assert (counts.present_full, counts.present_probationary) == (0, 1)
        person.joined_on = session.held_on + timedelta(days=1)  # not yet a member on the day
        assert_fresh()
        counts = row_figures("jiguan", session.held_on).counts
        assert (counts.expected, counts.staff_expected, counts.staff_present) == (2, 1, 1)
        person.joined_on, person.regularised_on = date(2010, 7, 1), date(2011, 7, 1)
        person.party_status = PartyStatus.MASSES
        assert_fresh()
        assert row_figures("jiguan", session.held_on).counts.staff_expected == 1


def test_memberships_change_no_count(app, held):
    with app.app_context():
        session = held_session(held)
        before = row_figures("jiguan", session.held_on).counts
        person = db.session.get(Person, held["member_person"])
        added = memberships.add_membership(
            person, unit("cujin"), MembershipRole.MEMBER, date(2001, 1, 1), date(2002, 1, 1)
        )
        assert_fresh()
        memberships.end_membership(added, date(2001, 6, 1))
        memberships.remove_membership(added)
        mine = db.session.scalar(
            sa.select(Membership).where(
                Membership.person_id == person.id, Membership.unit_id == unit("jiguan").id
            )
        )
        memberships.remove_membership(mine)
        assert_fresh()
        # The list as stored is what counts; the inactive warning reads memberships when asked.
        assert row_figures("jiguan", session.held_on).counts == before


def test_activity_cancel_archive_reopen(app, held):
    with app.app_context():
        session = held_session(held)
        secretary = account("secretary")
        services.archive(session, secretary)
        assert_fresh()
        counts = row_figures("jiguan", session.held_on).counts
        assert (counts.unmarked, counts.absent) == (0, 3)
        services.reopen(session, "A mark was wrong.")
        assert_fresh()
        assert db.session.get(ActivityTally, session.id).state.value == "open"
        other = session_at(unit("jiguan"), -timedelta(hours=2), 0.5, title="Called off")
        db.session.flush()
        assert row_figures("jiguan", session.held_on).sessions == 2
        services.cancel(other, "The room was taken.")
        assert_fresh()
        assert row_figures("jiguan", session.held_on).sessions == 1


def test_activity_date_unit_and_kind(app, held):
    with app.app_context():
        session = held_session(held)
        on = session.held_on
        assert row_figures("jiguan", on).sessions == 1
        session.kind = StudyKind.HEART_TALK  # talks are not attendance
        assert_fresh()
        assert row_figures("jiguan", on).sessions == 0
        session.kind = StudyKind.GENERAL_MEETING
        session.unit_id = unit("cujin").id
        assert_fresh()
        assert (row_figures("jiguan", on).sessions, row_figures("cujin", on).sessions) == (0, 1)
        session.starts_at = utcnow() + timedelta(days=400)
        session.ends_at = session.starts_at + timedelta(hours=1)
        session.held_on = on + timedelta(days=400)
        assert_fresh()
        assert row_figures("cujin", on).sessions == 0


def test_org_tree_move(app, held):
    """A 党小组 moved to another branch takes its sessions along, with no tally row rewritten."""
    with app.app_context():
        group_session = session_at(unit("jiguan-g1"), -timedelta(hours=2), 0.5, title="Group")
        db.session.flush()
        on = group_session.held_on
        assert (row_figures("jiguan", on).sessions, row_figures("cujin", on).sessions) == (2, 0)
        kept_before = db.session.execute(sa.select(ActivityTally.__table__)).all()
        unit("jiguan-g1").parent = unit("cujin")
        assert_fresh()
        assert db.session.execute(sa.select(ActivityTally.__table__)).all() == kept_before
        assert (row_figures("jiguan", on).sessions, row_figures("cujin", on).sessions) == (1, 1)
        assert row_figures("cujin", on).counts.expected == 1  # Grouped J, at the group's session


def test_a_past_year_is_read_from_the_unit_sums_and_follows_a_tree_move(app, world):
    """Months before the current one come from ``unit_tally`` (each unit with those below it):
    exact after a mark, a 党小组 moved to another branch (the sums are rebuilt) and a session
    moved to another date; the bureau's months say the same."""
    with app.app_context():
        branch = session_at(unit("jiguan"), -timedelta(days=400), 0.5, title="Past branch")
        session_at(unit("jiguan-g1"), -timedelta(days=401), 0.5, title="Past group")
        services.mark(
            row_of(branch, world["member_person"]), AttendanceStatus.PRESENT, account("secretary")
        )
        assert_fresh()
        on = branch.held_on
        jiguan, bureau = row_figures("jiguan", on), row_figures("bureau", on)
        assert (jiguan.sessions, jiguan.counts.expected, jiguan.counts.present) == (2, 4, 1)
        assert (bureau.sessions, bureau.counts.expected) == (2, 4)
        months = dict(figures.monthly(None, on.replace(day=1), 1))
        assert months[on.replace(day=1)].present == 1
        assert kept_rows(unit("jiguan").id, on.year)  # read from the sums, not from the sessions

        unit("jiguan-g1").parent = unit("cujin")
        assert_fresh()
        jiguan, cujin = row_figures("jiguan", on), row_figures("cujin", on)
        assert (jiguan.sessions, jiguan.counts.expected) == (1, 3)
        assert (cujin.sessions, cujin.counts.expected) == (1, 1)
        assert row_figures("bureau", on).counts.expected == 4

        # The branch's session moved 40 days on: its old month loses it, its new one has it.
        branch.starts_at += timedelta(days=40)
        branch.ends_at += timedelta(days=40)
        branch.held_on = local_date(branch.starts_at)
        assert_fresh()
        old, new = on.replace(day=1), branch.held_on.replace(day=1)
        months = dict(figures.monthly(None, old, 3))
        assert (months[old].present, months[new].present) == (0, 1)


def kept_rows(unit_id: int, year: int) -> list[UnitTally]:
    return list(
        db.session.scalars(
            sa.select(UnitTally).where(UnitTally.unit_id == unit_id, UnitTally.year == year)
        )
    )


def test_the_admin_home_shows_the_maintained_figures(app, client, held):
    with app.app_context():
        session = held_session(held)
        for person in ("sec_person", "member_person"):
            services.mark(
                row_of(session, held[person]), AttendanceStatus.PRESENT, account("secretary")
            )
        db.session.commit()
    sign_in(client, "admin")
    html = client.get("/").get_data(as_text=True)
    assert "66.7%" in html  # 2 of 3, in the chart's month and the table's rows


def test_the_audit_trail_never_records_the_tally(app, held):
    with app.app_context():
        session = held_session(held)
        services.mark(
            row_of(session, held["member_person"]), AttendanceStatus.PRESENT, account("secretary")
        )
        services.archive(session, account("secretary"))
        db.session.commit()
        types = set(db.session.scalars(sa.select(AuditLog.record_type).distinct()))
        assert {"participation", "study_session"} <= types
        assert "activity_tally" not in types


def test_the_invariants_catch_a_stale_tally(app, held):
    with app.app_context():
        assert invariants.check(db) == []
        table = ActivityTally.__table__
        db.session.execute(table.update().values(present=table.c.present + 1))
        assert any("activity figures" in v for v in invariants.check(db))
        db.session.execute(table.delete())
        assert any("activity figures" in v for v in invariants.check(db))
        tally.refresh_all(db.session.connection())
        assert invariants.check(db) == []


CHECK_INS = 200
THREADS = 10  # writers at once: SQLite serialises them, each waits its turn (busy_timeout)


@pytest.fixture
def crowd(app, world) -> dict[str, Any]:
    """Two sessions under way in jiguan, 100 more members expected at each."""
    with app.app_context():
        jiguan = unit("jiguan")
        people = [
            Person(code=f"K{n:03}", name=f"Crowd {n}", party_status=PartyStatus.FULL)
            for n in range(CHECK_INS // 2)
        ]
        db.session.add_all(people)
        db.session.add_all(
            Membership(
                person=person, unit=jiguan, role=MembershipRole.MEMBER, start_date=date(2020, 1, 1)
            )
            for person in people
        )
        db.session.flush()
        sessions = [
            session_at(jiguan, -timedelta(minutes=10 + n), 2, title=f"Crowded {n}")
            for n in range(2)
        ]
        db.session.commit()
        rows = db.session.scalars(
            sa.select(Participation.id)
            .join(Person)
            .where(
                Participation.activity_id.in_([s.id for s in sessions]),
                Person.code.like("K%"),
            )
        ).all()
        return {"sessions": [s.id for s in sessions], "rows": list(rows)}


def test_two_hundred_check_ins_at_once_keep_the_tally_exact(app, crowd):
    """Each thread its own session and connection, through the real check-in; afterwards the
    maintained figures equal the fresh ones. Without the activity lock, PostgreSQL's writers
    would each count the rows committed before them and the last to commit would win."""
    assert len(crowd["rows"]) == CHECK_INS
    if not PG_URL:
        assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")  # a file
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def check_in(row_ids: list[int]) -> None:
        try:
            barrier.wait()
            for row_id in row_ids:
                with app.app_context():
                    row = db.session.get(Participation, row_id)
                    services.check_in(row, RecordedVia.QR, account("member"))
                    db.session.commit()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [
        threading.Thread(target=check_in, args=(crowd["rows"][n::THREADS],)) for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert invariants.tally_fresh(db) == []
        assert invariants.units_fresh(db) == []
        kept = db.session.scalars(
            sa.select(ActivityTally).where(ActivityTally.activity_id.in_(crowd["sessions"]))
        ).all()
        assert [row.present for row in kept] == [CHECK_INS // 2, CHECK_INS // 2]

"""The access matrix: every route, as anonymous, member, secretary of another branch, secretary
and admin. A record outside one's scope answers 404; a page one's role may never use, 403.

The records are the 机关 branch's (``jiguan``): the secretary keeps them, ``secretary2`` keeps
the other branch's, ``member`` is a 机关 member whose own person page is the only one they see.
"""

import io
import re

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, csrf_token
from openpyxl import Workbook

from app.audit.models import AuditLog
from app.auth.models import User
from app.extensions import db
from app.people.models import ImportBatch, Membership, Person
from app.people.roster.workbook import COLUMNS
from app.queries import READ_NAMES

ROLES = ("anonymous", "member", "secretary2", "secretary", "admin")
LOGIN = 302  # anonymous: sent to the sign-in page


def grid(anonymous: int, member: int, secretary2: int, secretary: int, admin: int) -> dict:
    return dict(zip(ROLES, (anonymous, member, secretary2, secretary, admin), strict=True))


ANYONE = grid(200, 200, 200, 200, 200)
SIGNED_IN = grid(LOGIN, 200, 200, 200, 200)
KEEPERS = grid(LOGIN, 403, 200, 200, 200)  # pages for secretaries and admins
SCOPED = grid(LOGIN, 403, 404, 200, 200)  # a jiguan record: secretary2 must not see it
ADMIN_ONLY = grid(LOGIN, 403, 403, 403, 200)

# endpoint → (URL with ids from the ``ids`` fixture, expected GET status per role)
GET = {
    "main.healthz": ("/healthz", ANYONE),
    "auth.login": ("/auth/login", grid(200, 302, 302, 302, 302)),
    "auth.password": ("/auth/password", SIGNED_IN),
    "main.index": ("/", SIGNED_IN),
    "people.index": ("/members/", KEEPERS),
    "people.new": ("/members/new", KEEPERS),
    "roster.export": ("/members/export", KEEPERS),
    "roster.import_roster": ("/members/import", KEEPERS),
    "roster.import_template": ("/members/import/template", KEEPERS),
    # The person picker: one's own people, or (列席) the bureau's names and departments.
    "people.pick": ("/members/pick?q=J", KEEPERS),
    "people.pick_unit": ("/members/pick-unit?q=J", KEEPERS),
    # The member's own page; another member's page is checked below.
    "people.show": ("/members/{own}", grid(LOGIN, 200, 404, 200, 200)),
    "people.edit": ("/members/{own}/edit", SCOPED),
    "people.record": ("/members/{own}/record", grid(LOGIN, 200, 404, 200, 200)),
    "people.record_docx": ("/members/{own}/record.docx", grid(LOGIN, 200, 404, 200, 200)),
    "people.move": ("/members/{own}/move", SCOPED),
    "people.transfer": ("/members/{own}/transfer", SCOPED),
    # An import batch belongs to the user who uploaded it (the jiguan secretary).
    "roster.import_preview": ("/members/import/{batch}", grid(LOGIN, 403, 404, 200, 404)),
    "admin.index": ("/admin/", ADMIN_ONLY),
    "admin.units": ("/admin/units/", ADMIN_ONLY),
    "admin.unit_new": ("/admin/units/new", ADMIN_ONLY),
    "admin.unit_show": ("/admin/units/{jiguan}", ADMIN_ONLY),
    "admin.unit_edit": ("/admin/units/{jiguan}/edit", ADMIN_ONLY),
    "admin.membership_end": ("/admin/memberships/{membership}/end", ADMIN_ONLY),
    "admin.departments": ("/admin/departments/", ADMIN_ONLY),
    "admin.department_edit": ("/admin/departments/{department}/edit", ADMIN_ONLY),
    "admin.accounts": ("/admin/accounts/", ADMIN_ONLY),
    "admin.account_new": ("/admin/accounts/new", ADMIN_ONLY),
    "admin.account_edit": ("/admin/accounts/{account}", ADMIN_ONLY),
    "admin.account_password": ("/admin/accounts/{account}/password", ADMIN_ONLY),
    "admin.settings_edit": ("/admin/settings", ADMIN_ONLY),
    "audit.index": ("/audit/", ADMIN_ONLY),
    "static": ("/static/app.css", ANYONE),
    # Members see the sessions that list them; the session is jiguan's and lists ``member``.
    "study.index": ("/study/", SIGNED_IN),
    "study.calendar": ("/study/calendar", SIGNED_IN),
    "study.new": ("/study/new", KEEPERS),
    "study.show": ("/study/{session}", grid(LOGIN, 200, 404, 200, 200)),
    "study.edit": ("/study/{session}/edit", SCOPED),
    "integrity.index": ("/integrity/", SIGNED_IN),
    "integrity.new": ("/integrity/new", KEEPERS),
    "integrity.show": ("/integrity/{integrity}", grid(LOGIN, 200, 404, 200, 200)),
    "integrity.edit": ("/integrity/{integrity}/edit", SCOPED),
    "integrity.backfill": ("/integrity/backfill", KEEPERS),
    "integrity.units": ("/integrity/units", ADMIN_ONLY),
    # A jiguan project whose responsible person is ``member``: they read it, never change it.
    "volunteer.index": ("/volunteer/", SIGNED_IN),
    "volunteer.new": ("/volunteer/new", KEEPERS),
    "volunteer.show": ("/volunteer/{project}", grid(LOGIN, 200, 404, 200, 200)),
    "volunteer.edit": ("/volunteer/{project}/edit", SCOPED),
    # Not completed yet: the keepers are sent back to the project, told why.
    "volunteer.close": ("/volunteer/{project}/close", grid(LOGIN, 403, 404, 303, 303)),
    "volunteer.categories": ("/volunteer/categories", ADMIN_ONLY),
    "volunteer.units": ("/volunteer/units", ADMIN_ONLY),
    # A jiguan-issued list of ``member``'s, with one item: they read it, may not change it.
    "duties.index": ("/duties/", SIGNED_IN),
    "duties.new": ("/duties/new", KEEPERS),
    "duties.show": ("/duties/{duty_list}", grid(LOGIN, 200, 404, 200, 200)),
    "duties.edit": ("/duties/{duty_list}/edit", SCOPED),
    "duties.new_item": ("/duties/{duty_list}/items/new", SCOPED),
    "duties.edit_item": ("/duties/items/{duty_item}/edit", SCOPED),
    # One's own pledge: anyone with a unit of their own (the admin's account has none).
    "volunteer.propose": ("/volunteer/propose", grid(LOGIN, 200, 200, 200, 403)),
    # Changed only by its proposer while it waits or once returned: {project} is no pledge.
    "volunteer.proposal": ("/volunteer/{project}/proposal", grid(LOGIN, 403, 404, 403, 403)),
    "volunteer.acceptance_docx": (
        "/volunteer/{project}/acceptance.docx",
        grid(LOGIN, 200, 404, 200, 200),
    ),
    "volunteer.survey_docx": ("/volunteer/{project}/survey.docx", grid(LOGIN, 200, 404, 200, 200)),
    "volunteer.notice_docx": ("/volunteer/notice.docx?unit={jiguan}", SCOPED),
    # A jiguan service day of the project that lists ``member``.
    "volunteer.service_days": ("/volunteer/service-days/", SIGNED_IN),
    "volunteer.new_service_day": ("/volunteer/service-days/new", KEEPERS),
    "volunteer.service_day": ("/volunteer/service-days/{service}", grid(LOGIN, 200, 404, 200, 200)),
    "volunteer.edit_service_day": ("/volunteer/service-days/{service}/edit", SCOPED),
    # A routine talk of jiguan's with ``member``: they read it, never change it.
    "talks.index": ("/integrity/talks/", SIGNED_IN),
    "talks.new": ("/integrity/talks/new", KEEPERS),
    "talks.show": ("/integrity/talks/{talk}", grid(LOGIN, 200, 404, 200, 200)),
    "talks.edit": ("/integrity/talks/{talk}/edit", SCOPED),
    # jiguan's signed documents; the pairs of responsibility letters are the admins'.
    "pledges.index": ("/integrity/pledges/?unit={jiguan}", SCOPED),
    "pledges.missing_docx": (
        "/integrity/pledges/missing.docx?kind=integrity&unit={jiguan}",
        SCOPED,
    ),
    "pledges.sign": ("/integrity/pledges/sign?kind=integrity&unit={jiguan}", SCOPED),
    "pledges.batch": ("/integrity/pledges/batches/{signing}", SCOPED),
    "pledges.cadres": ("/integrity/pledges/cadres?unit={jiguan}", SCOPED),
    "pledges.pairs": ("/integrity/pledges/pairs?unit={jiguan}", ADMIN_ONLY),
    "reminders.new": ("/integrity/reminders/new", KEEPERS),
    "reminders.show": ("/integrity/reminders/{reminder}", SCOPED),
    "reminders.holidays": ("/integrity/reminders/holidays", ADMIN_ONLY),
    "activities.qr": ("/activities/{session}/qr", SCOPED),
    # The polled grid: htmx gets the fragment; a plain visit is sent to the session page.
    "activities.attendance": ("/activities/{session}/attendance", grid(LOGIN, 403, 404, 303, 303)),
    "evidence.file": ("/evidence/{evidence}", grid(LOGIN, 200, 404, 200, 200)),
    # ``member``'s pending log; the admin's technical account has no person to log for.
    "review.index": ("/review/", KEEPERS),
    "logs.index": ("/logs/", SIGNED_IN),
    "logs.new": ("/logs/new", grid(LOGIN, 200, 200, 200, 403)),
    "logs.show": ("/logs/{log}", grid(LOGIN, 200, 404, 200, 200)),
    "logs.edit": ("/logs/{log}/edit", grid(LOGIN, 200, 404, 403, 403)),
    "evidence.thumbnail": ("/evidence/{evidence}/thumbnail", grid(LOGIN, 200, 404, 200, 200)),
    "activities.sign_in_sheet": ("/activities/{session}/sign-in-sheet.docx", SCOPED),
    "activities.meeting_record": ("/activities/{session}/meeting-record.docx", SCOPED),
    # A forged code opens nothing, whoever scans it: it is verified before sign-in.
    "activities.scan": ("/activities/{session}/scan?t=1.forged", grid(400, 400, 400, 400, 400)),
    # One's own make-up and reflection: on a planned session there is nothing to hand in yet,
    # so the form sends one back to the session; the admin's account is on no list.
    "activities.make_up": ("/activities/{session}/make-up", grid(LOGIN, 303, 404, 303, 403)),
    "activities.reflection": ("/activities/{session}/reflection", grid(LOGIN, 303, 404, 303, 403)),
    # Before the start no make-up is owed: the keepers are told so at once.
    "activities.paper_make_up": (
        "/activities/{session}/make-up/{row}/paper",
        grid(LOGIN, 403, 404, 303, 303),
    ),
}

# Further GETs of endpoints above, in another mode.
MORE_GET = {
    "people.pick (bureau-wide)": ("/members/pick?mode=bureau&q=Member", KEEPERS),
    # Opened from a jiguan project's page: only its keepers.
    "volunteer.new_service_day (of a project)": (
        "/volunteer/service-days/new?project={project}",
        SCOPED,
    ),
}

# Unsafe requests, posted with a valid CSRF token by every role that may NOT make them; the
# record must be unchanged afterwards (no audit row written).
REFUSED = grid(LOGIN, 403, 404, 0, 0)  # 0: allowed for this role, not posted here
REFUSED_KEEPERS = grid(LOGIN, 403, 0, 0, 0)
REFUSED_ADMIN = grid(LOGIN, 403, 403, 403, 0)
POST = {
    "people.new": ("/members/new", REFUSED_KEEPERS),
    "people.edit": ("/members/{own}/edit", REFUSED),
    "people.move": ("/members/{own}/move", REFUSED),
    "people.transfer": ("/members/{own}/transfer", REFUSED),
    "roster.import_roster": ("/members/import", REFUSED_KEEPERS),
    "roster.import_confirm": ("/members/import/confirm", grid(LOGIN, 403, 404, 0, 404)),
    # Only admins create accounts; an admin cannot use another user's batch.
    "roster.import_accounts": ("/members/import/{batch}/accounts", grid(LOGIN, 403, 403, 403, 404)),
    "admin.unit_new": ("/admin/units/new", REFUSED_ADMIN),
    "admin.unit_edit": ("/admin/units/{jiguan}/edit", REFUSED_ADMIN),
    "admin.unit_deactivate": ("/admin/units/{group}/deactivate", REFUSED_ADMIN),
    "admin.unit_restore": ("/admin/units/{group}/restore", REFUSED_ADMIN),
    "admin.membership_new": ("/admin/units/{jiguan}/memberships", REFUSED_ADMIN),
    "admin.membership_end": ("/admin/memberships/{membership}/end", REFUSED_ADMIN),
    "admin.membership_remove": ("/admin/memberships/{membership}/remove", REFUSED_ADMIN),
    "admin.membership_restore": ("/admin/memberships/{membership}/restore", REFUSED_ADMIN),
    "admin.departments": ("/admin/departments/", REFUSED_ADMIN),
    "admin.department_edit": ("/admin/departments/{department}/edit", REFUSED_ADMIN),
    "admin.department_retire": ("/admin/departments/{department}/retire", REFUSED_ADMIN),
    "admin.account_new": ("/admin/accounts/new", REFUSED_ADMIN),
    "admin.account_edit": ("/admin/accounts/{account}", REFUSED_ADMIN),
    "admin.account_password": ("/admin/accounts/{account}/password", REFUSED_ADMIN),
    "admin.settings_edit": ("/admin/settings", REFUSED_ADMIN),
    "auth.password": ("/auth/password", grid(LOGIN, 0, 0, 0, 0)),
    "evidence.upload": ("/activities/{session}/evidence", REFUSED),
    "review.decide": ("/review/leave/{row}", REFUSED),
    "review.decide_selected": ("/review/bulk", REFUSED_KEEPERS),
    # Only one's own leave decision is dismissed.
    "review.dismiss": ("/review/seen/{row}", grid(LOGIN, 0, 404, 404, 404)),
    "logs.new": ("/logs/new", grid(LOGIN, 0, 0, 0, 403)),
    "logs.edit": ("/logs/{log}/edit", grid(LOGIN, 0, 404, 403, 403)),
    "logs.withdraw": ("/logs/{log}/withdraw", grid(LOGIN, 0, 404, 403, 403)),
    "logs.file_remove": ("/logs/{log}/files/{log_file}/remove", grid(LOGIN, 0, 404, 403, 403)),
    "evidence.delete": ("/evidence/{evidence}/delete", REFUSED),
    "study.new": ("/study/new", REFUSED_KEEPERS),
    "study.edit": ("/study/{session}/edit", REFUSED),
    "integrity.new": ("/integrity/new", REFUSED_KEEPERS),
    "integrity.edit": ("/integrity/{integrity}/edit", REFUSED),
    "integrity.backfill": ("/integrity/backfill", REFUSED_KEEPERS),
    "talks.new": ("/integrity/talks/new", REFUSED_KEEPERS),
    "talks.edit": ("/integrity/talks/{talk}/edit", REFUSED),
    "talks.remove": ("/integrity/talks/{talk}/remove", REFUSED),
    "pledges.sign": ("/integrity/pledges/sign?kind=integrity&unit={jiguan}", REFUSED),
    "pledges.cadres": ("/integrity/pledges/cadres?unit={jiguan}", REFUSED),
    "pledges.document_remove": ("/integrity/pledges/documents/{document}/remove", REFUSED),
    "pledges.pairs": ("/integrity/pledges/pairs?unit={jiguan}", REFUSED_ADMIN),
    "pledges.pair_remove": ("/integrity/pledges/pairs/{pair}/remove", REFUSED_ADMIN),
    "reminders.new": ("/integrity/reminders/new", REFUSED_KEEPERS),
    "reminders.remove": ("/integrity/reminders/{reminder}/remove", REFUSED),
    "reminders.holidays": ("/integrity/reminders/holidays", REFUSED_ADMIN),
    "volunteer.new": ("/volunteer/new", REFUSED_KEEPERS),
    "volunteer.edit": ("/volunteer/{project}/edit", REFUSED),
    "volunteer.add_entry": ("/volunteer/{project}/progress", REFUSED),
    "volunteer.remove_entry": ("/volunteer/{project}/progress/{entry}/remove", REFUSED),
    "volunteer.complete": ("/volunteer/{project}/complete", REFUSED),
    "volunteer.reopen": ("/volunteer/{project}/reopen", REFUSED),
    "volunteer.close": ("/volunteer/{project}/close", REFUSED),
    "volunteer.cancel": ("/volunteer/{project}/cancel", REFUSED),
    "volunteer.categories": ("/volunteer/categories", REFUSED_ADMIN),
    "volunteer.propose": ("/volunteer/propose", grid(LOGIN, 0, 0, 0, 403)),
    "volunteer.proposal": ("/volunteer/{project}/proposal", grid(LOGIN, 403, 404, 403, 403)),
    "volunteer.category_retire": ("/volunteer/categories/1/retire", REFUSED_ADMIN),
    "volunteer.new_service_day": ("/volunteer/service-days/new", REFUSED_KEEPERS),
    "volunteer.edit_service_day": ("/volunteer/service-days/{service}/edit", REFUSED),
    "volunteer.own_hours": ("/volunteer/service-days/{service}/hours/{service_row}", REFUSED),
    "duties.new": ("/duties/new", REFUSED_KEEPERS),
    "duties.edit": ("/duties/{duty_list}/edit", REFUSED),
    "duties.new_item": ("/duties/{duty_list}/items/new", REFUSED),
    "duties.edit_item": ("/duties/items/{duty_item}/edit", REFUSED),
    "duties.remove_item": ("/duties/items/{duty_item}/remove", REFUSED),
    # The list's own leader reports on it: a manual item's status, a duty record.
    "duties.item_status": ("/duties/items/{duty_item}/status", grid(LOGIN, 0, 404, 0, 0)),
    "duties.add_entry": ("/duties/{duty_list}/entries", grid(LOGIN, 0, 404, 0, 0)),
    "activities.attendance_cell": ("/activities/{session}/attendance/{row}", REFUSED),
    "activities.all_present": ("/activities/{session}/attendance/all-present", REFUSED),
    "activities.confirm": ("/activities/{session}/attendance/{row}/confirm", REFUSED),
    "activities.leave_decide": ("/activities/{session}/leave/{row}", REFUSED),
    "activities.make_up_review": ("/activities/{session}/make-up/{row}", REFUSED),
    "activities.paper_make_up": ("/activities/{session}/make-up/{row}/paper", REFUSED),
    "activities.absence_reason": ("/activities/{session}/attendance/{row}/reason", REFUSED),
    "activities.participant_add": ("/activities/{session}/participants", REFUSED),
    "activities.participant_remove": ("/activities/{session}/participants/{row}/remove", REFUSED),
    "activities.guest_add": ("/activities/{session}/guests", REFUSED),
    "activities.guest_remove": ("/activities/{session}/guests/{guest}/remove", REFUSED),
    "activities.archive": ("/activities/{session}/archive", REFUSED),
    "activities.cancel": ("/activities/{session}/cancel", REFUSED),
    "activities.reopen": ("/activities/{session}/reopen", grid(LOGIN, 403, 404, 403, 0)),
    # A person's own actions: not for those the session does not list.
    "activities.check_in": ("/activities/{session}/check-in", grid(LOGIN, 0, 404, 0, 403)),
    "activities.leave": ("/activities/{session}/leave", grid(LOGIN, 0, 404, 0, 403)),
    "activities.make_up": ("/activities/{session}/make-up", grid(LOGIN, 0, 404, 0, 403)),
    "activities.reflection": ("/activities/{session}/reflection", grid(LOGIN, 0, 404, 0, 403)),
    "activities.scan": ("/activities/{session}/scan", grid(400, 400, 400, 400, 400)),
}
# Open to everyone by design: signing in, signing out and choosing the language.
OPEN_POSTS = {"auth.login", "auth.logout", "auth.language"}


@pytest.fixture
def ids(app, world) -> dict:
    with app.app_context():
        account = db.session.scalar(sa.select(User.id).where(User.username == "member"))
        membership = db.session.scalar(
            sa.select(Membership.id).where(Membership.person_id == world["member_person"])
        )
    return {
        "own": world["member_person"],
        "other": world["grouped"],
        "jiguan": world["jiguan"],
        "group": world["group"],
        "department": world["office"],
        "membership": membership,
        "account": account,
        "batch": _uploaded_batch(app),
        **_planned_session(app, world["member_person"]),
    }


def _planned_session(app, world_member: int) -> dict:
    """A jiguan branch meeting tomorrow that lists ``member``, with one guest."""
    from datetime import date, timedelta
    from decimal import Decimal

    from PIL import Image
    from werkzeug.datastructures import FileStorage

    from app.activities.services import add_guest
    from app.duties.lists import add_item, create_list
    from app.evidence.services import attach
    from app.integrity.models import (
        Holiday,
        HolidayReminder,
        IntegrityKind,
        PledgeExpectation,
        PledgeKind,
        ReminderChannel,
        SignedDocument,
        SigningBatch,
        TalkKind,
    )
    from app.integrity.services import create_activity
    from app.integrity.talks import create_talk
    from app.logs.models import LogKind
    from app.logs.services import submit
    from app.people.models import OrgUnit
    from app.study.models import StudyKind
    from app.study.services import create_session
    from app.types import utcnow
    from app.volunteer.service_days import create_service_day

    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        start = utcnow() + timedelta(days=1)
        session = create_session(
            {
                "title": "Branch meeting",
                "kind": StudyKind.GENERAL_MEETING,
                "unit": db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "jiguan")),
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
            },
            secretary,
        )
        guest = add_guest(session, "Guest G", "spouse")
        photo = io.BytesIO()
        Image.new("RGB", (40, 30), "red").save(photo, "PNG")
        evidence = attach(
            FileStorage(io.BytesIO(photo.getvalue()), "photo.png"), activity=session, by=secretary
        )
        integrity = create_activity(
            {
                "title": "Integrity lecture",
                "kind": IntegrityKind.LECTURE,
                "unit": session.unit,
                "starts_at": start,
                "ends_at": start + timedelta(hours=1),
                "lecturer_name": "Lecturer L",
            },
            secretary,
        )
        talk = create_talk(
            {
                "unit": session.unit,
                "kind": TalkKind.ROUTINE,
                "held_at": start,
                "held_on": start.date(),
                "place": None,
                "subject": db.session.get(Person, world_member),
                "talker_id": secretary.person_id,
                "talker_name": None,
                "minute_taker_id": None,
                "minute_taker_name": None,
                "gist": "Before the holiday",
            },
            secretary,
        )
        signing = SigningBatch(
            kind=PledgeKind.INTEGRITY, unit=session.unit, year=start.year, signed_on=start.date()
        )
        document = SignedDocument(batch=signing, person=secretary.person)
        pair = PledgeExpectation(
            kind=PledgeKind.RESPONSIBILITY, unit_id=session.unit_id, year=start.year
        )
        pair.person, pair.counterpart_id = secretary.person, world_member
        reminder = HolidayReminder(
            unit=session.unit,
            year=start.year,
            holiday=Holiday.SPRING_FESTIVAL,
            sent_on=start.date(),
            channel=ReminderChannel.SMS,
            text="Before the holiday",
        )
        db.session.add_all([signing, document, pair, reminder])
        project = _project(session.unit, secretary, world_member)
        duty_list = create_list(
            {
                "unit": session.unit,
                "person": db.session.get(Person, world_member),
                "year": start.year,
                "title": "Member's list",
                "post": None,
                "areas": None,
                "business_duty": None,
                "party_duty": None,
                "integrity_duty": None,
            },
            secretary,
        )
        db.session.flush()
        duty_item = add_item(duty_list, _duty_item(), secretary)
        service = create_service_day(
            {
                "title": "Service day",
                "unit": session.unit,
                "starts_at": start,
                "ends_at": start + timedelta(hours=3),
                "project": project,
            },
            secretary,
        )
        db.session.commit()
        member = db.session.scalar(sa.select(User).where(User.username == "member"))
        row = next(r for r in session.participations if r.person_id == member.person_id)
        service_row = next(r for r in service.participations if r.person_id == member.person_id)
        log = submit(
            member.person,
            {
                "kind": LogKind.TRAINING,
                "done_on": date(2026, 3, 2),
                "hours": Decimal("3.0"),
                "title": "District Party school course",
            },
        )
        log_file = attach(
            FileStorage(io.BytesIO(photo.getvalue()), "certificate.png"), member_log=log, by=member
        )
        db.session.commit()
        return {
            "session": session.id,
            "integrity": integrity.id,
            "talk": talk.id,
            "signing": signing.id,
            "document": document.id,
            "pair": pair.id,
            "reminder": reminder.id,
            "project": project.id,
            "entry": project.entries[0].id,
            "service": service.id,
            "duty_list": duty_list.id,
            "duty_item": duty_item.id,
            "service_row": service_row.id,
            "row": row.id,
            "guest": guest.id,
            "evidence": evidence.id,
            "log": log.id,
            "log_file": log_file.id,
        }


def _duty_item() -> dict:
    from app.duties.models import AsRole, DutyCategory, Period

    return {
        "text": "Visit the enterprises",
        "category": DutyCategory.BUSINESS,
        "owner_id": None,
        "pressed_to": None,
        "period": Period.YEAR,
        "due_on": None,
        "target": None,
        "kinds": None,
        "unit_ids": None,
        "as_role": AsRole.ANY,
    }


def _project(unit, secretary: User, responsible: int):
    """A jiguan project in progress, ``member`` the person responsible, with one entry."""
    from datetime import date

    from app.volunteer.models import ProjectScope, ProjectSource, Urgency
    from app.volunteer.projects import add_entry, create_project

    values = {
        "name": "Road to the park",
        "category_id": 1,
        "source": ProjectSource.ENTERPRISE,
        "urgency": Urgency.DEADLINE,
        "scope": ProjectScope.UNIT,
        "leader_id": None,
        "person_id": responsible,
        "beneficiaries": "Park workers",
        "beneficiaries_count": 120,
        "beneficiary_visits": None,
        "planned_start": date(2026, 3, 1),
        "planned_end": date(2026, 9, 30),
        "description": None,
    }
    project = create_project(values, unit, secretary)
    add_entry(
        project,
        {"done_on": date(2026, 3, 5), "text": "Visited", "by_id": None, "by_name": None},
        secretary,
    )
    db.session.flush()
    db.session.refresh(project)
    return project


def _uploaded_batch(app) -> str:
    """The jiguan secretary uploads a one-row roster; the checked batch waits for confirmation."""
    client = app.test_client()
    sign_in(client, "secretary")
    workbook = Workbook()
    workbook.active.append([column.header for column in COLUMNS])
    values = {
        "code": "J900",
        "name": "新人",
        "party_status": "群众",
        "unit": "jiguan",
        "role": "工作人员",
        "start_date": "2026-01-05",
    }
    workbook.active.append([values.get(column.key) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        "/members/import",
        data={
            "csrf_token": csrf_token(client, "/members/import"),
            "file": (io.BytesIO(buffer.getvalue()), "roster.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(sa.select(ImportBatch.token))


def sign_in(client, role: str) -> None:
    if role == "anonymous":
        return
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"username": role, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, role


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(endpoint, "GET") for endpoint in GET} | {(endpoint, "POST") for endpoint in POST}
    covered |= {(endpoint, "POST") for endpoint in OPEN_POSTS} | {("auth.login", "GET")}
    missing = sorted(routes - covered)
    assert not missing, f"routes without an access expectation: {missing}"


def walk(client, ids: dict, role: str) -> list[tuple]:
    """GET every route as ``role``; the routes that answered otherwise than expected. The walk
    also leaves in ``READ_NAMES`` which endpoint read which query argument."""
    wrong = []
    for endpoint, (url, expected) in [*GET.items(), *MORE_GET.items()]:
        response = client.get(url.format(**ids))
        if response.status_code != expected[role]:
            wrong.append((endpoint, url, response.status_code, expected[role]))
        if expected[role] == LOGIN and role == "anonymous":
            assert response.headers["Location"].startswith("/auth/login"), endpoint
    return wrong


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(client, ids, role):
    sign_in(client, role)
    wrong = walk(client, ids, role)
    assert not wrong, wrong


def test_the_walk_collects_which_page_reads_which_query_argument(app, ids):
    """Every view reads its query arguments through app/queries.py, which notes the names."""
    READ_NAMES.clear()
    for role in ROLES:
        client = app.test_client()
        sign_in(client, role)
        walk(client, ids, role)
    expected = {
        ("people.index", "page"),
        ("people.index", "unit"),
        ("roster.export", "unit"),
        ("people.record", "year"),
        ("study.index", "year"),
        ("study.index", "unit"),
        ("study.calendar", "month"),
        ("integrity.index", "year"),
        ("activities.attendance", "v"),
        ("activities.scan", "t"),
        ("review.index", "unit"),
        ("audit.index", "date_from"),
        ("audit.index", "actor"),
        ("admin.accounts", "role"),
        ("people.pick", "q"),
        ("people.pick", "mode"),
        ("main.index", "sort"),
        ("logs.index", "state"),
    }
    assert expected <= READ_NAMES, sorted(expected - READ_NAMES)


@pytest.mark.parametrize("role", ROLES)
def test_refused_posts_change_nothing(app, client, ids, role):
    sign_in(client, role)
    token = csrf_token(client, "/auth/login" if role == "anonymous" else "/auth/password")
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    wrong = []
    for endpoint, (url, expected) in POST.items():
        if not expected[role]:
            continue
        response = client.post(
            url.format(**ids),
            data={
                "csrf_token": token,
                "token": ids["batch"],
                "digest": "0" * 64,
                "name": "changed",
                "code": "X1",
            },
        )
        if response.status_code != expected[role]:
            wrong.append((endpoint, url, response.status_code, expected[role]))
    assert not wrong, wrong
    with app.app_context():
        after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
        assert after == before
        assert db.session.get(Person, ids["own"]).name == "Member J"


def test_member_cannot_open_another_members_page(client, ids):
    sign_in(client, "member")
    assert client.get(f"/members/{ids['other']}").status_code == 404


def test_unsafe_requests_without_a_token_are_refused(app, client, ids):
    sign_in(client, "admin")
    for endpoint, (url, _expected) in POST.items():
        response = client.post(url.format(**ids), data={"name": "changed"})
        assert response.status_code == 400, endpoint
        htmx = client.post(url.format(**ids), headers={"HX-Request": "true"})
        assert htmx.status_code == 400, endpoint
        assert htmx.headers.get("HX-Reswap") == "none", endpoint


@pytest.mark.parametrize("role", ["member", "secretary", "admin"])
def test_dashboard_links_all_work(client, ids, role):
    """No dead links: every page the dashboard and navigation link to opens."""
    sign_in(client, role)
    html = client.get("/").get_data(as_text=True)
    links = set(re.findall(r'href="(/[^"#]*)"', html)) - {"/static/app.css"}
    links = {link.replace("&amp;", "&") for link in links if not link.startswith("/static/")}
    assert links
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


@pytest.fixture
def moved(app, world) -> dict:
    """A member who moved from cujin to jiguan, and a jiguan member who also sits in the 党组."""
    from datetime import date

    from conftest import make_person

    from app.people.models import MembershipRole, OrgUnit

    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        cujin = db.session.get(OrgUnit, world["cujin"])
        dangzu = db.session.get(OrgUnit, world["dangzu"])
        mover = make_person("M001", "Mover", cujin, end=date(2025, 4, 1))
        db.session.add(
            Membership(
                person=mover, unit=jiguan, role=MembershipRole.MEMBER, start_date=date(2025, 4, 1)
            )
        )
        leader = make_person("L001", "Leader", jiguan)
        db.session.add(
            Membership(
                person=leader, unit=dangzu, role=MembershipRole.MEMBER, start_date=date(2020, 1, 1)
            )
        )
        db.session.commit()
        return {"mover": mover.id, "leader": leader.id}


def test_former_branch_reads_history_but_cannot_change_it(app, client, moved):
    sign_in(client, "secretary2")
    assert client.get(f"/members/{moved['mover']}").status_code == 200
    for action in ("edit", "move", "transfer"):
        assert client.get(f"/members/{moved['mover']}/{action}").status_code == 404, action
    token = csrf_token(client, "/auth/password")
    response = client.post(
        f"/members/{moved['mover']}/transfer",
        data={"transferred_out_on": "2026-01-02", "csrf_token": token},
    )
    assert response.status_code == 404
    with app.app_context():
        person = db.session.get(Person, moved["mover"])
        assert person.transferred_out_on is None
        assert [m.end_date for m in person.memberships if m.unit.code == "jiguan"] == [None]


def test_secretary_cannot_transfer_out_someone_who_also_sits_elsewhere(app, client, moved):
    sign_in(client, "secretary")
    assert client.get(f"/members/{moved['leader']}/edit").status_code == 200
    token = csrf_token(client, "/auth/password")
    response = client.post(
        f"/members/{moved['leader']}/transfer",
        data={"transferred_out_on": "2026-01-02", "csrf_token": token},
    )
    assert response.status_code == 303
    with app.app_context():
        person = db.session.get(Person, moved["leader"])
        assert person.transferred_out_on is None
        assert all(m.end_date is None for m in person.memberships)
    page = client.get(f"/members/{moved['leader']}").get_data(as_text=True)
    assert "Party office" in page  # the flash says who does it
    assert f"/members/{moved['leader']}/transfer" not in page  # and the button is gone


def test_secretary_moves_only_within_their_units(app, client, world):
    sign_in(client, "secretary")
    url = f"/members/{world['member_person']}/move"
    html = client.get(url).get_data(as_text=True)
    assert "Jiguan group 1" in html
    assert "Cujin branch" not in html
    with app.app_context():
        leaving = db.session.scalar(
            sa.select(Membership.id).where(Membership.person_id == world["member_person"])
        )
    response = client.post(
        url,
        data={
            "from_membership_id": str(leaving),
            "unit_id": str(world["cujin"]),
            "role": "member",
            "on": "2026-01-02",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Person, world["member_person"]).memberships[0].end_date is None


@pytest.mark.parametrize(
    "url",
    [
        "/members/99999999999999999999",
        "/members/?page=99999999999999999999",
        "/members/?page=abc",
        "/members/?unit=99999999999999999999&department=-3",
        "/members/?unit=%C2%B2",
        "/members/export?unit=99999999999999999999",
        "/members/?q=%00x",
    ],
)
def test_out_of_range_input_is_not_a_server_error(client, world, url):
    sign_in(client, "admin")
    assert client.get(url).status_code in (200, 404)

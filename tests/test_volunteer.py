"""Practical things for the masses 我为群众办实事: a project's number, its lifecycle from 未启动 to
已销号 with progress, completion, acceptance and satisfaction, what each step refuses (with
nothing changed), cancelling, and who reads and keeps a project."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from conftest import csrf_token

from app.audit.models import AuditLog
from app.extensions import db
from app.types import local_today, utcnow
from app.volunteer import projects
from app.volunteer.models import Acceptance, ProgressEntry, Project, ProjectCategory, ProjectStatus


def _category(code: str = "enterprise_visit") -> int:
    return db.session.scalar(sa.select(ProjectCategory.id).where(ProjectCategory.code == code))


def _form(app, world, **fields) -> dict:
    with app.app_context():
        category = _category()
    start = local_today() - timedelta(days=30)
    return {
        "unit_id": str(world["jiguan"]),
        "name": "Repair the road to the industrial park",
        "category_id": str(category),
        "source": "enterprise",
        "urgency": "deadline",
        "scope": "unit",
        "person": "Member J",
        "beneficiaries": "The park's enterprises and their workers",
        "beneficiaries_count": "120",
        "beneficiary_visits": "",
        "planned_start": start.isoformat(),
        "planned_end": (start + timedelta(days=90)).isoformat(),
        **fields,
    }


def _new(client, app, world, **fields):
    data = _form(app, world, **fields) | {"csrf_token": csrf_token(client, "/volunteer/new")}
    return client.post("/volunteer/new", data=data)


def _project(app, number: str | None = None) -> Project:
    with app.app_context():
        stmt = sa.select(Project).order_by(Project.id.desc())
        if number is not None:
            stmt = sa.select(Project).where(Project.number == number)
        project = db.session.scalar(stmt)
        db.session.expunge(project)
        return project


def _post(client, url: str, **data):
    return client.post(url, data=data | {"csrf_token": csrf_token(client, "/volunteer/")})


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (ProgressEntry, Acceptance, AuditLog)
        )


def test_projects_are_numbered_per_unit_and_year_of_their_start(app, client, auth, world):
    auth.login("secretary")
    year = (local_today() - timedelta(days=30)).year
    for _each in range(2):
        assert _new(client, app, world).status_code == 303
    auth.logout()
    auth.login("admin")
    assert _new(client, app, world, unit_id=str(world["cujin"])).status_code == 303
    with app.app_context():
        numbers = db.session.scalars(sa.select(Project.number).order_by(Project.id)).all()
        assert numbers == [f"{year}-jiguan-001", f"{year}-jiguan-002", f"{year}-cujin-001"]
        person = db.session.scalar(sa.select(Project.person_id).where(Project.id == 1))
        assert person == world["member_person"]


def test_a_number_taken_at_the_same_moment_is_drawn_again(app, world, monkeypatch):
    """Two saves read the same highest number: the second one's insert clashes and is retried
    with the number after."""
    from app.auth.models import User
    from app.volunteer.models import ProjectScope, ProjectSource, Urgency

    real = projects._next_number
    draws = []

    def stale(unit, year):
        draws.append(year)
        return f"{year}-{unit.code}-001" if len(draws) == 1 else real(unit, year)

    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        unit = secretary.units[0]
        values = {
            "name": "Policy briefing",
            "category_id": _category("briefing"),
            "source": ProjectSource.VISIT,
            "urgency": Urgency.IMMEDIATE,
            "scope": ProjectScope.UNIT,
            "leader_id": None,
            "person_id": None,
            "beneficiaries": "Enterprises",
            "beneficiaries_count": 30,
            "beneficiary_visits": None,
            "planned_start": date(2026, 5, 1),
            "planned_end": date(2026, 5, 31),
            "description": None,
        }
        first = projects.create_project(values, unit, secretary)
        monkeypatch.setattr(projects, "_next_number", stale)
        second = projects.create_project(values, unit, secretary)
        db.session.commit()
        assert (first.number, second.number) == ("2026-jiguan-001", "2026-jiguan-002")
        assert len(draws) == 2  # the second save drew twice: a taken number, then the next


def test_a_project_goes_from_not_started_to_closed_out(app, client, auth, world):
    """Progress puts it in progress, the completion needs its date and outcome, the close-out
    the acceptance and the survey: 8 satisfied, 1 fairly, 1 dissatisfied → 90.0 %."""
    auth.login("secretary")
    _new(client, app, world)
    project = _project(app)
    base = f"/volunteer/{project.id}"
    assert project.status is ProjectStatus.NOT_STARTED
    day = (local_today() - timedelta(days=10)).isoformat()
    assert (
        _post(client, f"{base}/progress", done_on=day, text="Met the park's committee").status_code
        == 303
    )
    assert _project(app).status is ProjectStatus.IN_PROGRESS
    done = (local_today() - timedelta(days=2)).isoformat()
    answer = _post(client, f"{base}/complete", completed_on=done, outcome="Road repaired")
    assert answer.status_code == 303
    assert _project(app).status is ProjectStatus.DONE
    accepted = local_today().isoformat()
    answer = _post(
        client,
        f"{base}/close",
        accepted_by="Park committee",
        accepted_on=accepted,
        method="signed",
        satisfied="8",
        fairly_satisfied="1",
        dissatisfied="1",
    )
    assert answer.status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert _project(app).status is ProjectStatus.CLOSED
    assert "Met the park&#39;s committee" in page and "90.0%" in page
    # Closed out, it no longer changes: nothing is added.
    before = _counts(app)
    late = _post(client, f"{base}/progress", done_on=accepted, text="More")
    assert late.status_code == 303 and _counts(app) == before


@pytest.mark.parametrize(
    "step, data, message",
    [
        (
            "complete",
            {"outcome": "Done", "completed_on": "today"},
            "a project is completed once it is in progress",
        ),
        (
            "close",
            {"accepted_by": "X", "accepted_on": "today", "method": "signed", "satisfied": "1"},
            "Only a completed project can be closed out",
        ),
    ],
)
def test_a_step_out_of_order_is_refused_and_changes_nothing(
    app, client, auth, world, step, data, message
):
    auth.login("secretary")
    _new(client, app, world)
    project = _project(app)
    data = {k: local_today().isoformat() if v == "today" else v for k, v in data.items()}
    before = _counts(app)
    answer = _post(client, f"/volunteer/{project.id}/{step}", **data)
    assert answer.status_code == 303
    assert message in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert _project(app).status is ProjectStatus.NOT_STARTED and _counts(app) == before


def test_a_close_out_without_answers_or_before_the_completion_saves_nothing(
    app, client, auth, world
):
    auth.login("secretary")
    _new(client, app, world)
    project = _project(app)
    base = f"/volunteer/{project.id}"
    _post(
        client,
        f"{base}/progress",
        done_on=(local_today() - timedelta(days=9)).isoformat(),
        text="Work",
    )
    _post(
        client,
        f"{base}/complete",
        completed_on=(local_today() - timedelta(days=3)).isoformat(),
        outcome="Done",
    )
    before = _counts(app)
    fields = {"accepted_by": "Committee", "method": "on_site"}
    none = _post(client, f"{base}/close", accepted_on=local_today().isoformat(), **fields)
    assert none.status_code == 422 and "at least one" in none.get_data(as_text=True)
    early = (local_today() - timedelta(days=5)).isoformat()
    too_early = _post(client, f"{base}/close", accepted_on=early, satisfied="3", **fields)
    assert too_early.status_code == 422
    assert "between the completion and today" in too_early.get_data(as_text=True)
    assert _project(app).status is ProjectStatus.DONE and _counts(app) == before


def test_the_form_refuses_a_completion_planned_before_the_start(app, client, auth, world):
    auth.login("secretary")
    answer = _new(client, app, world, planned_end=(local_today() - timedelta(days=60)).isoformat())
    assert answer.status_code == 422
    assert "cannot be before the planned start" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_progress_cannot_be_dated_after_today(app, client, auth, world):
    auth.login("secretary")
    _new(client, app, world)
    project = _project(app)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    answer = _post(client, f"/volunteer/{project.id}/progress", done_on=tomorrow, text="Later")
    assert answer.status_code == 303
    assert _project(app).status is ProjectStatus.NOT_STARTED
    assert _counts(app)[0] == 0


def test_a_cancelled_project_keeps_its_reason_and_changes_no_more(app, client, auth, world):
    auth.login("secretary")
    _new(client, app, world)
    project = _project(app)
    base = f"/volunteer/{project.id}"
    assert _post(client, f"{base}/cancel", reason="The enterprise moved away").status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert "The enterprise moved away" in page and "Cancelled" in page
    assert client.get(f"{base}/edit").status_code == 303  # sent back, told why
    before = _counts(app)
    _post(client, f"{base}/progress", done_on=local_today().isoformat(), text="Anyway")
    assert _counts(app) == before


def test_overdue_projects_stand_out_and_filter(app, client, auth, world):
    auth.login("secretary")
    past = local_today() - timedelta(days=100)
    _new(
        client,
        app,
        world,
        name="Late one",
        planned_start=past.isoformat(),
        planned_end=(past + timedelta(days=10)).isoformat(),
    )
    _new(client, app, world, name="On time")
    listed = client.get("/volunteer/?status=overdue").get_data(as_text=True)
    assert "Late one" in listed and "On time" not in listed
    assert "table-danger" in listed


def test_the_responsible_person_reads_a_project_others_do_not(app, client, auth, world):
    auth.login("secretary")
    _new(client, app, world, name="Member's charge")
    _new(client, app, world, name="Someone else's", person="Secretary J")
    year = (local_today() - timedelta(days=30)).year
    mine, other = _project(app, f"{year}-jiguan-001"), _project(app)
    auth.logout()
    auth.login("member")
    listed = client.get("/volunteer/").get_data(as_text=True)
    assert "Member&#39;s charge" in listed and "Someone else" not in listed
    assert client.get(f"/volunteer/{mine.id}").status_code == 200
    assert client.get(f"/volunteer/{other.id}").status_code == 404
    assert client.get(f"/volunteer/{mine.id}/edit").status_code == 403
    auth.logout()
    auth.login("secretary2")
    assert client.get(f"/volunteer/{mine.id}").status_code == 404
    assert "Member&#39;s charge" not in client.get("/volunteer/").get_data(as_text=True)


def test_the_years_figures_as_domain_md_counts_them(app, world):
    """jiguan in Y (last year), by hand: A planned and done in Y, closed out in Y (8, 1, 1
    answers); B planned in Y, done only in Y + 1 (overdue at the year's end); C cancelled
    (nowhere); D planned in Y − 1, done in Y; E done in Y − 2; G of its 党小组, planned in Y and
    still open; and a cujin project done in Y, in the bureau's figures only."""
    from app.auth.models import User
    from app.volunteer.figures import project_year
    from app.volunteer.models import (
        Acceptance,
        AcceptanceMethod,
        ProjectScope,
        ProjectSource,
        Urgency,
    )

    y = local_today().year - 1
    with app.app_context():
        by = db.session.scalar(sa.select(User).where(User.username == "admin"))

        def project(code, unit, start, end, done=None, served=10, **extra):
            row = Project(
                number=code,
                name=code,
                unit_id=world[unit],
                category_id=_category(),
                source=ProjectSource.VISIT,
                urgency=Urgency.DEADLINE,
                scope=ProjectScope.UNIT,
                beneficiaries="x",
                beneficiaries_count=served,
                planned_start=start,
                planned_end=end,
                completed_on=done,
                created_by_id=by.id,
                status=ProjectStatus.DONE if done else ProjectStatus.IN_PROGRESS,
                **extra,
            )
            db.session.add(row)
            return row

        a = project("A", "jiguan", date(y, 3, 1), date(y, 6, 30), date(y, 6, 20), 100)
        a.status = ProjectStatus.CLOSED
        project("B", "jiguan", date(y, 9, 1), date(y, 12, 20), date(y + 1, 1, 15), 50)
        project(
            "C", "jiguan", date(y, 2, 1), date(y, 4, 1), cancelled_at=utcnow(), cancel_reason="x"
        )
        project("D", "jiguan", date(y - 1, 10, 1), date(y - 1, 12, 31), date(y, 2, 10), 30)
        project("E", "jiguan", date(y - 2, 3, 1), date(y - 2, 5, 1), date(y - 2, 4, 20))
        project("G", "group", date(y, 5, 1), date(y, 8, 31))
        project("F", "cujin", date(y, 1, 10), date(y, 3, 1), date(y, 2, 28), 7)
        db.session.flush()
        db.session.add(
            Acceptance(
                project_id=a.id,
                accepted_by="x",
                accepted_on=date(y, 7, 1),
                method=AcceptanceMethod.SIGNED,
                satisfied=8,
                fairly_satisfied=1,
                dissatisfied=1,
            )
        )
        db.session.commit()
        from app.people.models import OrgUnit

        jiguan = db.session.get(OrgUnit, world["jiguan"])
        found = project_year(jiguan, y, local_today())
        assert (found.projects, found.done, found.planned, found.planned_done) == (4, 2, 3, 1)
        assert (found.closed, found.overdue, found.people_served, found.done_recent) == (
            1,
            2,
            130,
            3,
        )
        assert str(found.completion_rate) == "33.3" and str(found.satisfaction_rate) == "90.0"
        bureau = project_year(None, y, local_today())
        assert (bureau.projects, bureau.done, bureau.people_served) == (5, 3, 137)
        # The year before: D was planned for its last day, so not yet overdue at its end; E
        # was done in Y − 2, before it.
        before = project_year(jiguan, y - 1, local_today())
        assert (before.projects, before.planned, before.overdue, before.done) == (1, 1, 0, 0)


def test_the_homes_count_open_overdue_and_due_projects(app, client, auth, world):
    """jiguan: one overdue, one due in 10 days (within the 30 of the setting), one due in 60,
    one done; cujin: one open. The secretary reads jiguan's line, the admin the bureau's."""
    auth.login("secretary")
    today = local_today()
    for name, start, end in (
        ("Late", today - timedelta(days=90), today - timedelta(days=5)),
        ("Soon", today - timedelta(days=20), today + timedelta(days=10)),
        ("Later", today - timedelta(days=20), today + timedelta(days=60)),
        ("Finished", today - timedelta(days=20), today + timedelta(days=5)),
    ):
        _new(
            client,
            app,
            world,
            name=name,
            planned_start=start.isoformat(),
            planned_end=end.isoformat(),
        )
    finished = _project(app)
    base = f"/volunteer/{finished.id}"
    _post(client, f"{base}/progress", done_on=today.isoformat(), text="Work")
    _post(client, f"{base}/complete", completed_on=today.isoformat(), outcome="Done")
    home = client.get("/").get_data(as_text=True)
    assert "3 projects open" in home and "1 overdue" in home and "1 due within 30 days" in home
    due = client.get("/volunteer/?status=due").get_data(as_text=True)
    assert "Soon" in due and "Later" not in due and "Late<" not in due
    auth.logout()
    auth.login("admin")
    _new(client, app, world, unit_id=str(world["cujin"]), name="Cujin's")
    assert "4 projects open" in client.get("/").get_data(as_text=True)


def test_the_admin_adds_and_retires_categories_projects_keep_theirs(app, client, auth, world):
    auth.login("admin")
    token = csrf_token(client, "/volunteer/categories")
    assert (
        client.post(
            "/volunteer/categories", data={"name": "Road repairs", "csrf_token": token}
        ).status_code
        == 303
    )
    twice = client.post(
        "/volunteer/categories", data={"name": "business training", "csrf_token": token}
    )
    assert twice.status_code == 422 and "exists" in twice.get_data(as_text=True)
    with app.app_context():
        roads = db.session.scalar(
            sa.select(ProjectCategory.id).where(ProjectCategory.name == "Road repairs")
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectCategory)) == 6
    assert _new(client, app, world, category_id=str(roads)).status_code == 303
    project = _project(app)
    _post(client, f"/volunteer/categories/{roads}/retire")
    client.get("/volunteer/categories")  # reads the flash
    offered = client.get("/volunteer/new").get_data(as_text=True)
    assert "Road repairs" not in offered
    assert "Road repairs" in client.get(f"/volunteer/{project.id}/edit").get_data(as_text=True)
    assert "Road repairs" in client.get(f"/volunteer/{project.id}").get_data(as_text=True)
    refused = _new(client, app, world, category_id=str(roads))
    assert refused.status_code == 422


def _docx_text(data: bytes) -> str:
    import io

    from docx import Document

    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_printables_are_filled_from_the_record_the_notice_names_no_one_served(
    app, client, auth, world
):
    auth.login("secretary")
    _new(client, app, world, beneficiaries="Widow Wang of Lane 3")
    project = _project(app)
    base = f"/volunteer/{project.id}"
    _post(client, f"{base}/progress", done_on=local_today().isoformat(), text="Fixed the roof")
    form = _docx_text(client.get(f"{base}/acceptance.docx").data)
    assert project.number in form and "Fixed the roof" in form and "Member J" in form
    survey = _docx_text(client.get(f"{base}/survey.docx").data)
    assert "Fairly satisfied" in survey and project.name in survey
    year = project.planned_start.year
    notice = client.get(f"/volunteer/notice.docx?unit={world['jiguan']}&year={year}")
    text = _docx_text(notice.data)
    assert project.name in text and "120" in text and "Widow Wang" not in text
    auth.logout()
    auth.login("secretary2")
    assert client.get(f"{base}/acceptance.docx").status_code == 404
    assert client.get(f"/volunteer/notice.docx?unit={world['jiguan']}").status_code == 404


def _propose(client, app, world, **fields):
    data = _form(app, world, **fields)
    for name in ("person", "scope"):
        data.pop(name)
    data["csrf_token"] = csrf_token(client, "/volunteer/propose")
    return client.post("/volunteer/propose", data=data)


def test_a_members_own_pledge_goes_through_the_queue_before_it_runs(app, client, auth, world):
    """Member J proposes; it waits and counts nowhere; returned with a comment, changed, sent
    again; approved, it runs with Member J responsible and the secretary moves it on."""
    from app.people.models import OrgUnit
    from app.volunteer.figures import open_lines, project_year
    from app.volunteer.models import ProjectScope, ProposalState

    auth.login("member")
    assert _propose(client, app, world, name="Help a pensioner file claims").status_code == 303
    pledge = _project(app)
    assert (pledge.scope, pledge.review_state) == (ProjectScope.MEMBER, ProposalState.PENDING)
    assert pledge.person_id == world["member_person"]
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        assert project_year(jiguan, pledge.planned_start.year, local_today()).projects == 0
        assert open_lines([jiguan.id], local_today(), 30)[jiguan.id].open == 0
    before = _counts(app)
    refused = _post(
        client, f"/volunteer/{pledge.id}/progress", done_on=local_today().isoformat(), text="x"
    )
    assert refused.status_code == 403 and _counts(app) == before
    auth.logout()
    auth.login("secretary")
    assert "Help a pensioner file claims" in client.get("/review/").get_data(as_text=True)
    _post(client, f"/review/pledge/{pledge.id}", decision="return")
    assert _project(app).review_state is ProposalState.PENDING  # a return needs its reason
    _post(
        client,
        f"/review/pledge/{pledge.id}",
        decision="return",
        comment="Name the pensioner's street",
    )
    assert _project(app).review_state is ProposalState.RETURNED
    auth.logout()
    auth.login("member")
    page = client.get(f"/volunteer/{pledge.id}").get_data(as_text=True)
    assert "Name the pensioner&#39;s street" in page
    data = _form(app, world, name="Help a pensioner of Elm Street file claims")
    for name in ("person", "scope"):
        data.pop(name)
    data["csrf_token"] = csrf_token(client, f"/volunteer/{pledge.id}/proposal")
    assert client.post(f"/volunteer/{pledge.id}/proposal", data=data).status_code == 303
    assert _project(app).review_state is ProposalState.PENDING
    auth.logout()
    auth.login("secretary")
    _post(client, f"/review/pledge/{pledge.id}", decision="approve")
    approved = _project(app)
    assert approved.review_state is ProposalState.APPROVED and approved.runs
    assert approved.name == "Help a pensioner of Elm Street file claims"
    day = local_today().isoformat()
    assert (
        _post(client, f"/volunteer/{pledge.id}/progress", done_on=day, text="Filed").status_code
        == 303
    )
    assert _project(app).status is ProjectStatus.IN_PROGRESS
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        assert open_lines([jiguan.id], local_today(), 30)[jiguan.id].open == 1


def test_no_one_reviews_their_own_pledge(app, client, auth, world):
    auth.login("secretary")
    assert _propose(client, app, world, name="The secretary's own").status_code == 303
    pledge = _project(app)
    assert "The secretary&#39;s own" not in client.get("/review/").get_data(as_text=True)
    _post(client, f"/review/pledge/{pledge.id}", decision="approve")
    from app.volunteer.models import ProposalState

    assert _project(app).review_state is ProposalState.PENDING

"""Roster import and export through HTTP: checking, confirming, scope, accounts, round trips."""

import io
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from conftest import csrf_token, make_person, unlimited_unit_loads
from openpyxl import Workbook, load_workbook
from test_unit_picker import add_groups

from app.audit.models import AuditLog
from app.auth.models import User
from app.extensions import db
from app.people import services
from app.people.models import (
    Department,
    Gender,
    ImportBatch,
    Membership,
    MembershipRole,
    OrgUnit,
    PartyStatus,
    Person,
)
from app.people.roster.workbook import COLUMNS, MIMETYPE
from app.people.unit_picker import SELECT_LIMIT
from app.types import local_today, utcnow

HEADERS = [column.header for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]
IMPORT_URL = "/members/import"


def xlsx(rows: list[list], headers: list | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append(headers if headers is not None else HEADERS)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(**values) -> list:
    unknown = set(values) - set(KEYS)
    assert not unknown, unknown
    return [values.get(key) for key in KEYS]


def upload(client, data: bytes, filename: str = "roster.xlsx", **fields):
    form = {"csrf_token": csrf_token(client, IMPORT_URL), "file": (io.BytesIO(data), filename)}
    form.update(fields)
    return client.post(IMPORT_URL, data=form, content_type="multipart/form-data")


def checked(client, data: bytes, **fields) -> tuple[str, str]:
    """Uploads a file; returns the preview URL and its page."""
    response = upload(client, data, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no {name} field"
    return match.group(1)


def confirm(client, preview_html: str, url: str | None = None):
    """Posts the preview's confirmation form; with ``url``, forges one where the page has none."""
    if url is None:
        token, digest = hidden(preview_html, "token"), hidden(preview_html, "digest")
    else:
        token, digest = token_of(url), "0" * 64
    return client.post(
        "/members/import/confirm",
        data={"csrf_token": hidden(preview_html, "csrf_token"), "token": token, "digest": digest},
    )


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def totals(app) -> dict[str, int]:
    with app.app_context():
        return {
            "persons": db.session.scalar(sa.select(sa.func.count(Person.id))),
            "memberships": db.session.scalar(sa.select(sa.func.count(Membership.id))),
            "audit": db.session.scalar(sa.select(sa.func.count(AuditLog.id))),
            "accounts": db.session.scalar(sa.select(sa.func.count(User.id))),
        }


def snapshot(app) -> list[tuple]:
    """Every recorded value of every person and membership."""
    with app.app_context():
        persons = db.session.scalars(sa.select(Person).order_by(Person.code)).all()
        return [
            (
                p.code,
                p.name,
                p.gender,
                p.birth_date,
                p.party_status,
                p.joined_on,
                p.regularised_on,
                p.department_id,
                p.post,
                p.phone,
                p.transferred_out_on,
                p.transfer_note,
                sorted(
                    (m.unit_id, m.role.value, m.start_date, m.end_date, m.deleted_at)
                    for m in p.memberships
                ),
            )
            for p in persons
        ]


def person(app, code: str) -> Person | None:
    with app.app_context():
        found = db.session.scalar(sa.select(Person).where(Person.code == code))
        if found is not None:
            _ = found.memberships, found.department
            for m in found.memberships:
                _ = m.unit
        return found


def exported(client, query: str = "") -> list[list]:
    response = client.get("/members/export" + query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [list(values) for values in sheet.iter_rows(values_only=True)]


@pytest.fixture
def rich(app, world):
    """The world plus every kind of record a roster carries."""
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        cujin = db.session.get(OrgUnit, world["cujin"])
        dangzu = db.session.get(OrgUnit, world["dangzu"])
        group = db.session.get(OrgUnit, world["group"])
        tech = Department(name="科技股")
        db.session.add(tech)
        leader = make_person("J010", "王海燕", jiguan, department=tech)
        leader.gender = Gender.FEMALE
        leader.birth_date = date(1975, 4, 2)
        leader.post = "副局长"
        leader.phone = "13907310019"
        db.session.add(
            Membership(
                person=leader,
                unit=dangzu,
                role=MembershipRole.MEMBER,
                start_date=date(2019, 5, 1),
            )
        )
        grouped = make_person("J011", "陈静", jiguan, MembershipRole.ORGANISATION)
        db.session.add(
            Membership(
                person=grouped,
                unit=group,
                role=MembershipRole.GROUP_LEADER,
                start_date=date(2021, 1, 1),
            )
        )
        make_person("J012", "刘洋", jiguan, status=PartyStatus.PROBATIONARY)
        make_person("J013", "周敏", jiguan, MembershipRole.STAFF, status=PartyStatus.MASSES)
        make_person("J014", "吴磊", jiguan, MembershipRole.STAFF, status=PartyStatus.ACTIVIST)
        moved = make_person("J015", "郑凯", cujin, end=date(2023, 3, 1))
        db.session.add(
            Membership(
                person=moved, unit=jiguan, role=MembershipRole.MEMBER, start_date=date(2023, 3, 1)
            )
        )
        gone = make_person("J016", "孙丽", jiguan)
        db.session.flush()
        services.transfer_out(gone, date(2024, 6, 30), "区财政局")
        db.session.commit()
    return world


def test_the_import_page_belongs_to_the_members_navigation_entry(client, auth, world):
    """The import has a blueprint of its own; the navigation still marks Members as current."""
    auth.login("secretary")
    html = client.get("/members/import").get_data(as_text=True)
    current = re.search(r'<a class="nav-link active"\s+aria-current="page"\s+href="([^"]+)"', html)
    assert current is not None and current.group(1) == "/members/"


def test_template_download(client, auth, world):
    auth.login("secretary")
    response = client.get("/members/import/template")
    assert response.status_code == 200
    assert response.mimetype == MIMETYPE
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["花名册"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.max_row == 1
    help_text = " ".join(
        str(v) for r in workbook.worksheets[1].iter_rows(values_only=True) for v in r if v
    )
    assert "jiguan" in help_text
    assert "cujin" not in help_text  # only the secretary's own units are listed


def test_valid_file_is_previewed_then_saved_on_confirmation(app, client, auth, world):
    auth.login("admin")
    before = totals(app)
    data = xlsx(
        [
            row(
                code="N001",
                name="新党员",
                gender="女",
                birth_date=datetime(1990, 5, 6),
                party_status="预备党员",
                joined_on="2024/7/1",
                department="Office",
                post="科员",
                phone=13800138000,
                unit="jiguan",
                start_date="2024年7月1日",
            ),
            row(
                code="N002",
                name="新群众",
                party_status="群众",
                unit="cujin",
                role="工作人员",
                start_date=date(2022, 1, 3),
            ),
            row(code="J002", name="Member J", party_status="正式党员", phone="139 0000 0000"),
        ]
    )
    url, page = checked(client, data)
    assert "2 new" in page and "1 updated" in page
    assert "0 with errors" in page
    assert totals(app) == before  # nothing saved before the confirmation

    response = confirm(client, page)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url)

    new = person(app, "N001")
    assert new.name == "新党员"
    assert new.gender is Gender.FEMALE
    assert new.birth_date == date(1990, 5, 6)
    assert new.party_status is PartyStatus.PROBATIONARY
    assert new.joined_on == date(2024, 7, 1)
    assert new.regularised_on is None
    assert new.department.name == "Office"
    assert new.post == "科员"
    assert new.phone == "13800138000"
    [membership] = new.memberships
    assert membership.unit.code == "jiguan"
    assert membership.role is MembershipRole.MEMBER
    assert membership.start_date == date(2024, 7, 1)
    assert membership.end_date is None

    staff = person(app, "N002")
    assert staff.party_status is PartyStatus.MASSES
    [membership] = staff.memberships
    assert (membership.unit.code, membership.role) == ("cujin", MembershipRole.STAFF)
    assert membership.start_date == date(2022, 1, 3)

    assert person(app, "J002").phone == "139 0000 0000"
    after = totals(app)
    assert after["persons"] == before["persons"] + 2
    assert after["memberships"] == before["memberships"] + 2
    assert after["audit"] > before["audit"]

    done = client.get(url)
    assert done.status_code == 200
    assert "Import confirmed" in done.get_data(as_text=True)


def test_dates_in_every_accepted_form(app, client, auth, world):
    auth.login("admin")
    forms = [date(2021, 3, 8), datetime(2021, 3, 8), "2021-03-08", "2021/3/8", "2021年3月8日"]
    forms += [44263, "20210308", "2021.03.08", " 2021-03-08 00:00:00 "]
    rows = [
        row(code=f"D{i:02d}", name="Dated", party_status="正式党员", joined_on=value, unit="jiguan")
        for i, value in enumerate(forms)
    ]
    _url, page = checked(client, xlsx(rows))
    assert confirm(client, page).status_code == 303
    with app.app_context():
        joined = set(db.session.scalars(sa.select(Person.joined_on).where(Person.code.like("D%"))))
    assert joined == {date(2021, 3, 8)}


def test_english_headers_and_values_are_accepted(app, client, auth, world):
    auth.login("admin")
    headers = ["Personnel code", "Name", "Party status", "Joined the Party", "Unit code"]
    data = xlsx([["E001", "English", "Full member", "2015-07-01", "jiguan"]], headers=headers)
    _url, page = checked(client, data)
    assert "1 new" in page
    confirm(client, page)
    assert person(app, "E001").party_status is PartyStatus.FULL


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_saved(app, client, auth, world):
    auth.login("secretary")
    data = xlsx(
        [
            row(
                code="B001",
                name="Good",
                party_status="正式党员",
                joined_on="2015-01-01",
                unit="jiguan",
            ),
            row(
                code="B002",
                name="Bad date",
                party_status="群众",
                birth_date="32/13/2020",
                unit="jiguan",
            ),
            row(code="B003", name="No unit", party_status="群众", unit="nowhere"),
            row(code="B004", name="Status", party_status="党外人士", unit="jiguan"),
            row(code="B005", name="Twice", party_status="群众", unit="jiguan"),
            row(code="B005", name="Twice again", party_status="群众", unit="jiguan"),
            row(code="B007", name=None, party_status="群众", unit="jiguan"),
            row(code="B008", name="Elsewhere", party_status="群众", unit="cujin"),
            row(
                code="B009",
                name="Staff member",
                party_status="正式党员",
                joined_on="2015-01-01",
                unit="jiguan",
                role="工作人员",
            ),
            row(code="B010", name="No dates", party_status="正式党员", unit="jiguan"),
            row(code="C002", name="Member C", party_status="正式党员", joined_on="2010-07-01"),
        ]
    )
    before = totals(app)
    url, page = checked(client, data)
    errors = page[page.index('id="import-errors"') :]
    expected = [
        ("3", "出生日期", "Not a date"),
        ("4", "所属组织代码", "None of your units has the code nowhere"),
        ("5", "政治面貌", "Unknown party status"),
        ("6", "人员编号", "appears more than once (rows 6, 7)"),
        ("7", "人员编号", "appears more than once (rows 6, 7)"),
        ("8", "姓名", "The name is required"),
        ("9", "所属组织代码", "None of your units has the code cujin"),
        ("10", "组织内职务", "choose a Party role, not staff"),
        ("11", "入党日期", "A Party member needs the date of joining the Party"),
        ("12", "人员编号", "outside your units"),
    ]
    for number, column, message in expected:
        pattern = (
            rf"<td[^>]*>{number}</td>\s*<td[^>]*>[A-Z]+ · {column}</td>"
            rf"\s*<td[^>]*>(?:(?!</tr>).)*?</td>\s*<td[^>]*>[^<]*{re.escape(message)}"
        )
        assert re.search(pattern, errors, re.S), (number, column, message)
    assert "Member C" not in errors  # nothing about the out-of-scope person is shown
    assert "10 with errors" in page
    assert 'action="/members/import/confirm"' not in page

    refused = confirm(client, page, url)
    assert refused.status_code == 422
    assert totals(app) == before
    with app.app_context():
        batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == token_of(url)))
        assert batch.confirmed_at is None


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"code,name\nX1,Someone\n", "roster.xlsx", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "roster.xlsx", "97–2003"),
        (b"code,name\nX1,Someone\n", "roster.csv", "Choose an Excel workbook (.xlsx)"),
        (None, "roster.xlsx", "not an Excel workbook"),  # a Word-like zip
        (xlsx([], headers=["foo", "bar"]), "roster.xlsx", "No header row was found"),
        (xlsx([]), "roster.xlsx", "no rows to import"),
        (b"PK\x03\x04garbage", "roster.xlsx", "not an Excel workbook"),
    ],
)
def test_files_that_are_not_rosters_get_a_clear_message(
    app, client, auth, world, content, filename, message
):
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types>wordprocessingml</Types>")
            archive.writestr("word/document.xml", "<w:document/>")
        content = buffer.getvalue()
    auth.login("admin")
    before = totals(app)
    response = upload(client, content, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert totals(app) == before


def test_missing_required_column_is_named(app, client, auth, world):
    auth.login("admin")
    response = upload(client, xlsx([["X1", "群众"]], headers=["人员编号", "政治面貌"]))
    assert response.status_code == 422
    assert "The sheet has no column 姓名" in response.get_data(as_text=True)


def test_title_rows_above_the_header_and_a_wrong_declared_size(app, client, auth, world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["机关党支部党员花名册"])
    sheet.append([])
    sheet.append([*HEADERS, "备注"])
    for i in range(3):
        sheet.append(row(code=f"T{i}", name="Titled", party_status="群众", unit="Jiguan branch"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    # Some generators declare a sheet smaller than it is; no row may be dropped for that.
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B2"', body)
            target.writestr(item, body)
    auth.login("admin")
    _url, page = checked(client, damaged.getvalue())
    assert "3 new" in page and "0 with errors" in page
    assert "Columns not used: 备注" in page
    assert re.search(r"<td[^>]*>4</td>\s*<td[^>]*>T0</td>", page)  # Excel's row numbers
    confirm(client, page)
    assert [m.unit.code for m in person(app, "T2").memberships] == ["jiguan"]  # by unit name


def test_a_damaged_workbook_is_refused_without_a_server_error(app, client, auth, world):
    good = xlsx([row(code="X1", name="Someone", party_status="群众", unit="jiguan")])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]
            target.writestr(item, body)
    auth.login("admin")
    response = upload(client, buffer.getvalue())
    assert response.status_code == 422
    assert "could not be read" in response.get_data(as_text=True)


def test_too_many_rows(app, client, auth, world):
    app.config["IMPORT_MAX_ROWS"] = 3
    auth.login("admin")
    rows = [row(code=f"R{i}", name="Row", party_status="群众", unit="jiguan") for i in range(4)]
    response = upload(client, xlsx(rows))
    assert response.status_code == 422
    assert "more than 3 rows" in response.get_data(as_text=True)


def test_upload_needs_csrf(client, auth, world):
    auth.login("admin")
    response = client.post(
        IMPORT_URL,
        data={"file": (io.BytesIO(xlsx([])), "roster.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_reimporting_the_same_file_changes_nothing(app, client, auth, world):
    auth.login("admin")
    data = xlsx(
        [
            row(
                code="N001",
                name="New",
                party_status="正式党员",
                joined_on="2015-07-01",
                regularised_on="2016-07-01",
                unit="jiguan",
                role="宣传委员",
            ),
            row(
                code="N002",
                name="Gone",
                party_status="群众",
                unit="cujin",
                start_date="2020-01-01",
                state="转出",
                transferred_out_on="2024-01-01",
            ),
            row(code="J002", name="Member J renamed", party_status="正式党员", department="Office"),
        ]
    )
    _url, page = checked(client, data)
    assert confirm(client, page).status_code == 303
    gone = person(app, "N002")
    assert gone.transferred_out_on == date(2024, 1, 1)
    assert gone.memberships[0].end_date == date(2024, 1, 1)

    before, state = totals(app), snapshot(app)
    url, page = checked(client, data)
    assert "0 new" in page and "0 updated" in page and "3 unchanged" in page
    assert "Nothing to import" in page
    assert 'action="/members/import/confirm"' not in page
    response = confirm(client, page, url)  # posted anyway
    assert response.status_code == 303
    assert totals(app) == before
    assert snapshot(app) == state


def test_existing_membership_is_kept_and_a_new_unit_adds_one(app, client, auth, world):
    auth.login("admin")
    data = xlsx(
        [
            row(
                code="J002",
                name="Member J",
                party_status="正式党员",
                unit="jiguan",
                role="书记",
                start_date="2024-01-01",
            ),
            row(
                code="C002",
                name="Member C",
                party_status="正式党员",
                unit="dangzu",
                start_date="2025-02-01",
            ),
        ]
    )
    _url, page = checked(client, data)
    assert "1 updated" in page and "1 unchanged" in page
    assert "does not change a role" in page
    assert "does not change that date" in page
    confirm(client, page)
    member_j = person(app, "J002")
    assert [(m.unit.code, m.role) for m in member_j.memberships] == [
        ("jiguan", MembershipRole.MEMBER)
    ]
    member_c = person(app, "C002")
    assert sorted((m.unit.code, m.start_date, m.end_date) for m in member_c.memberships) == [
        ("cujin", date(2020, 1, 1), None),
        ("dangzu", date(2025, 2, 1), None),
    ]


def test_codes_match_regardless_of_letter_case(app, client, auth, world):
    auth.login("admin")
    data = xlsx([row(code="j002", name="Member J", party_status="正式党员", phone="123")])
    _url, page = checked(client, data)
    assert "0 new" in page and "1 updated" in page
    before = totals(app)["persons"]
    confirm(client, page)
    assert totals(app)["persons"] == before
    assert person(app, "J002").phone == "123"
    twice = xlsx(
        [
            row(code="X1", name="A", party_status="群众", unit="jiguan"),
            row(code="x1", name="B", party_status="群众", unit="jiguan"),
        ]
    )
    _url, page = checked(client, twice)
    assert "appears more than once (rows 2, 3)" in page


def test_transfer_out_through_the_import(app, client, auth, world):
    auth.login("secretary")
    data = xlsx(
        [
            row(
                code="J002",
                name="Member J",
                party_status="正式党员",
                state="转出",
                transferred_out_on="2025-05-01",
            )
        ]
    )
    _url, page = checked(client, data)
    assert "1 updated" in page
    confirm(client, page)
    member = person(app, "J002")
    assert member.transferred_out_on == date(2025, 5, 1)
    assert all(m.end_date == date(2025, 5, 1) for m in member.memberships)

    back = xlsx([row(code="J002", name="Member J", party_status="正式党员", state="在册")])
    _url, page = checked(client, back)
    assert "cannot bring a person back" in page


@pytest.mark.parametrize("username", ["admin", "secretary"])
def test_export_then_import_changes_nothing(app, client, auth, rich, username):
    auth.login(username)
    response = client.get("/members/export?state=all")
    assert response.status_code == 200
    before, state = totals(app), snapshot(app)
    url, page = checked(client, response.data)
    assert "0 new" in page and "0 updated" in page and "0 with errors" in page, page
    assert "Nothing to import" in page
    confirm(client, page, url)
    assert snapshot(app) == state
    assert totals(app) == before


def test_export_writes_one_deterministic_membership(app, client, auth, rich):
    auth.login("admin")
    rows = {
        values[0]: dict(zip(KEYS, values, strict=True))
        for values in exported(client, "?state=all")[1:]
    }
    assert rows["J010"]["unit"] == "jiguan"  # the branch before the 党组
    assert rows["J011"]["unit"] == "jiguan"  # the branch before its 党小组
    assert rows["J011"]["role"] == "组织委员"
    assert rows["J003"]["unit"] == "jiguan-g1"
    assert rows["J015"]["unit"] == "jiguan"  # the current membership, not the ended one
    assert rows["J016"]["state"] == "转出"
    assert rows["J016"]["transferred_out_on"].date() == date(2024, 6, 30)
    assert rows["J012"]["party_status"] == "预备党员"
    assert rows["J013"]["role"] == "工作人员"
    assert rows["J010"]["gender"] == "女"
    assert rows["J010"]["phone"] == "13907310019"


def test_text_that_looks_like_a_formula_is_exported_as_text(app, client, auth, world):
    post = '=HYPERLINK("http://example.com","x")'
    with app.app_context():
        db.session.get(Person, world["member_person"]).post = post
        db.session.commit()
    auth.login("admin")
    response = client.get("/members/export")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    [cell] = [c for c in sheet["I"] if c.value == post]
    assert cell.data_type == "s"
    before = totals(app)
    _url, page = checked(client, response.data)
    assert "0 updated" in page and "0 with errors" in page
    assert totals(app) == before


def test_export_respects_scope_and_filters(app, client, auth, rich):
    auth.login("secretary2")
    codes = [values[0] for values in exported(client)[1:]]
    assert codes and all(code.startswith("C") for code in codes)
    auth.logout()
    auth.login("admin")
    probationary = [values[0] for values in exported(client, "?status=probationary")[1:]]
    assert probationary == ["J012"]
    in_cujin = [values[0] for values in exported(client, f"?unit={rich['cujin']}")[1:]]
    assert in_cujin == ["C002", "C001"]  # roster order: Member C before Secretary C
    found = [values[0] for values in exported(client, "?q=王海燕")[1:]]
    assert found == ["J010"]
    former = [values[0] for values in exported(client, "?state=former")[1:]]
    assert "J016" in former and "J002" not in former


def test_export_file_name_and_type(app, client, auth, world):
    auth.login("admin")
    response = client.get("/members/export")
    assert response.mimetype == MIMETYPE
    disposition = response.headers["Content-Disposition"]
    with app.app_context():
        today = local_today().isoformat()
    assert f'filename="roster-{today}.xlsx"' in disposition
    assert "filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C-" + today in disposition


def test_export_query_count_does_not_grow(app, client, auth, world, queries):
    auth.login("admin")
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        for i in range(5):
            make_person(f"Q{i:03d}", unit=jiguan)
        db.session.commit()
    with queries() as few:
        assert client.get("/members/export").status_code == 200
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        for i in range(5, 50):
            make_person(f"Q{i:03d}", unit=jiguan)
        db.session.commit()
    with queries() as many:
        response = client.get("/members/export")
    assert len(load_workbook(io.BytesIO(response.data)).worksheets[0]["A"]) == 56
    assert many.count == few.count


def test_preview_query_count_does_not_grow_with_rows(app, client, auth, world, queries):
    auth.login("secretary")
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        for i in range(60):
            make_person(f"Q{i:03d}", unit=jiguan)
        db.session.commit()

    def rows(n: int) -> list[list]:
        return [
            row(code=f"Q{i:03d}", name=f"Person Q{i:03d}", party_status="正式党员", unit="jiguan")
            for i in range(n)
        ] + [row(code=f"NEW{i}", name="New", party_status="群众", unit="jiguan") for i in range(n)]

    counts = []
    for n in (5, 50):
        url, _page = checked(client, xlsx(rows(n)))
        with queries() as counted:
            page = client.get(url).get_data(as_text=True)
        assert f"{n} new" in page and f"{n} unchanged" in page
        counts.append(counted.count)
    assert counts[0] == counts[1]


def test_secretary_cannot_import_into_another_branch(app, client, auth, world):
    auth.login("secretary")
    data = xlsx([row(code="S001", name="Elsewhere", party_status="群众", unit="cujin")])
    url, page = checked(client, data)
    assert "None of your units has the code cujin" in page
    assert confirm(client, page, url).status_code == 422
    assert person(app, "S001") is None


def test_a_batch_belongs_to_its_uploader(app, client, auth, world):
    auth.login("secretary")
    data = xlsx([row(code="S001", name="Mine", party_status="群众", unit="jiguan")])
    url, page = checked(client, data)
    auth.logout()
    auth.login("secretary2")
    assert client.get(url).status_code == 404
    token = csrf_token(client, IMPORT_URL)
    response = client.post(
        "/members/import/confirm",
        data={"csrf_token": token, "token": token_of(url), "digest": hidden(page, "digest")},
    )
    assert response.status_code == 404
    assert person(app, "S001") is None


def test_members_are_refused_every_import_and_export_url(app, client, auth, world):
    auth.login("secretary")
    url, _page = checked(
        client, xlsx([row(code="S1", name="A", party_status="群众", unit="jiguan")])
    )
    auth.logout()
    auth.login("member")
    token = csrf_token(client, "/")
    for path in (IMPORT_URL, "/members/import/template", "/members/export", url):
        assert client.get(path).status_code == 403, path
    for path in (IMPORT_URL, "/members/import/confirm", f"{url}/accounts"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_anonymous_users_are_sent_to_sign_in(client, world):
    for path in (IMPORT_URL, "/members/import/template", "/members/export"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_an_expired_batch_cannot_be_confirmed(app, client, auth, world):
    auth.login("admin")
    url, page = checked(
        client, xlsx([row(code="X1", name="Late", party_status="群众", unit="jiguan")])
    )
    with app.app_context():
        batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == token_of(url)))
        batch.created_at = utcnow() - timedelta(minutes=61)
        db.session.commit()
    response = confirm(client, page)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(IMPORT_URL)
    assert person(app, "X1") is None
    assert client.get(url).status_code == 303
    checked(client, xlsx([row(code="X2", name="Next", party_status="群众", unit="jiguan")]))
    with app.app_context():
        tokens = set(db.session.scalars(sa.select(ImportBatch.token)))
    assert token_of(url) not in tokens  # expired batches are deleted, not kept


def test_a_batch_is_confirmed_only_once(app, client, auth, world):
    auth.login("admin")
    _url, page = checked(
        client, xlsx([row(code="X1", name="Once", party_status="群众", unit="jiguan")])
    )
    assert confirm(client, page).status_code == 303
    before = totals(app)
    again = confirm(client, page)
    assert again.status_code == 303
    assert totals(app) == before
    assert "already been confirmed" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_confirmation_refused_when_the_records_changed(app, client, auth, world):
    auth.login("admin")
    _url, page = checked(
        client, xlsx([row(code="J002", name="Member J", party_status="正式党员", phone="111")])
    )
    with app.app_context():
        db.session.scalar(sa.select(Person).where(Person.code == "J002")).phone = "222"
        db.session.commit()
    response = confirm(client, page)
    assert response.status_code == 409
    assert "records changed" in response.get_data(as_text=True)
    assert person(app, "J002").phone == "222"


def test_preview_as_page_fragment_and_boosted_page(app, client, auth, world):
    auth.login("admin")
    url, _page = checked(
        client, xlsx([row(code="X1", name="H", party_status="群众", unit="jiguan")])
    )
    plain = client.get(url).get_data(as_text=True)
    assert "<html" in plain and 'id="import-result"' in plain
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="import-result"')
    assert 'hx-swap-oob="true"' in fragment
    boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_boosted_upload_leaves_with_hx_redirect(app, client, auth, world):
    auth.login("admin")
    data = {
        "csrf_token": csrf_token(client, IMPORT_URL),
        "file": (
            io.BytesIO(xlsx([row(code="X1", name="H", party_status="群众", unit="jiguan")])),
            "r.xlsx",
        ),
    }
    response = client.post(
        IMPORT_URL,
        data=data,
        content_type="multipart/form-data",
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/members/import/")


def test_admin_creates_accounts_and_downloads_passwords_once(app, client, auth, world):
    auth.login("admin")
    page = client.get(IMPORT_URL).get_data(as_text=True)
    assert 'name="create_accounts"' in page
    data = xlsx(
        [
            row(
                code="A001",
                name="With account",
                party_status="正式党员",
                joined_on="2015-07-01",
                unit="jiguan",
            ),
            row(code="A002", name="Activist", party_status="入党积极分子", unit="jiguan"),
        ]
    )
    url, page = checked(client, data, create_accounts="y")
    assert "1 member account will be created" in page
    before = totals(app)
    confirm(client, page)
    assert totals(app)["accounts"] == before["accounts"] + 1
    done = client.get(url).get_data(as_text=True)
    assert "Download the initial passwords" in done

    token = hidden(done, "csrf_token")
    response = client.post(f"{url}/accounts", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.mimetype == MIMETYPE
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    [_header, account] = [r for r in sheet.iter_rows(values_only=True) if r and r[0]][:2]
    assert account[0] == "A001" and account[2] == "a001"
    password = account[3]
    assert len(password.replace("-", "")) == 12

    with app.app_context():
        batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == token_of(url)))
        assert batch.rows == []  # the passwords are gone
        user = db.session.scalar(sa.select(User).where(User.username == "a001"))
        assert user.must_change_password and user.person.code == "A001"
        logged = db.session.scalars(
            sa.select(AuditLog.changes).where(AuditLog.record_type == "account")
        )
        assert all(password not in str(changes) for changes in logged)
    again = client.post(f"{url}/accounts", data={"csrf_token": token})
    assert again.status_code == 303
    assert again.mimetype != MIMETYPE

    auth.logout()
    response = auth.login("a001", password)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/password")


def test_secretary_cannot_create_accounts(app, client, auth, world):
    auth.login("secretary")
    page = client.get(IMPORT_URL).get_data(as_text=True)
    assert 'name="create_accounts"' not in page
    data = xlsx(
        [
            row(
                code="A001",
                name="No account",
                party_status="正式党员",
                joined_on="2015-07-01",
                unit="jiguan",
            )
        ]
    )
    url, page = checked(client, data, create_accounts="y")  # forged
    assert "account will be created" not in page
    before = totals(app)
    confirm(client, page)
    assert totals(app)["accounts"] == before["accounts"]
    with app.app_context():
        batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == token_of(url)))
        assert batch.create_accounts is False
    token = csrf_token(client, "/")
    assert client.post(f"{url}/accounts", data={"csrf_token": token}).status_code == 403


def test_taken_username_is_reported_not_reused(app, client, auth, world):
    auth.login("admin")
    data = xlsx(
        [
            row(
                code="Member",
                name="Clash",
                party_status="正式党员",
                joined_on="2015-07-01",
                unit="jiguan",
            )
        ]
    )
    _url, page = checked(client, data, create_accounts="y")
    assert "the username member is taken" in page
    before = totals(app)
    confirm(client, page)
    assert totals(app)["accounts"] == before["accounts"]


def test_accounts_per_import_are_limited(app, client, auth, world):
    app.config["IMPORT_MAX_ACCOUNTS"] = 1
    auth.login("admin")
    rows = [
        row(
            code=f"A{i}", name="New", party_status="正式党员", joined_on="2015-07-01", unit="jiguan"
        )
        for i in range(2)
    ]
    url, page = checked(client, xlsx(rows), create_accounts="y")
    assert "would create 2 accounts; one import creates at most 1" in page
    assert 'action="/members/import/confirm"' not in page
    before = totals(app)
    assert confirm(client, page, url).status_code == 422
    assert totals(app) == before


def test_passwords_left_behind_are_forgotten_at_the_next_sign_in(app, client, auth, world):
    auth.login("admin")
    data = xlsx(
        [
            row(
                code="A001",
                name="With account",
                party_status="正式党员",
                joined_on="2015-07-01",
                unit="jiguan",
            )
        ]
    )
    url, page = checked(client, data, create_accounts="y")
    confirm(client, page)
    fresh_url, _page = checked(
        client, xlsx([row(code="X1", name="Fresh", party_status="群众", unit="jiguan")])
    )
    with app.app_context():
        batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == token_of(url)))
        assert batch.rows[0]["accounts"][0]["password"]  # waiting for its download
        batch.confirmed_at = utcnow() - timedelta(minutes=61)
        db.session.commit()
    auth.logout()
    auth.login("admin")  # no import page is visited
    with app.app_context():
        tokens = set(db.session.scalars(sa.select(ImportBatch.token)))
    assert tokens == {token_of(fresh_url)}


def test_expired_batches_are_forgotten_from_the_command_line(app, runner, client, auth, world):
    auth.login("admin")
    url, _page = checked(
        client, xlsx([row(code="X1", name="Late", party_status="群众", unit="jiguan")])
    )
    with app.app_context():
        batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == token_of(url)))
        batch.created_at = utcnow() - timedelta(minutes=61)
        db.session.commit()
    result = runner.invoke(args=["people", "forget-imports"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0


def test_secretary_cannot_change_someone_who_has_left_their_units(app, client, auth, world):
    with app.app_context():
        member = db.session.get(Person, world["member_person"])
        [membership] = member.memberships
        membership.end_date = date(2024, 9, 1)
        db.session.add(
            Membership(
                person=member,
                unit=db.session.get(OrgUnit, world["cujin"]),
                role=MembershipRole.MEMBER,
                start_date=date(2024, 9, 1),
            )
        )
        db.session.commit()
    state = snapshot(app)
    auth.login("secretary")
    changed = [
        row(code="J002", name="Member J", party_status="正式党员", phone="123"),
        row(code="J002", name="Member J", party_status="正式党员", unit="jiguan"),
        row(code="J002", name="Member J", state="转出", transferred_out_on="2025-05-01"),
    ]
    for values in changed:
        url, page = checked(client, xlsx([values]))
        assert "1 with errors" in page, values
        assert "no longer in any of your units" in page
        assert "cujin" not in page.lower()  # nothing about where the person is now
        assert confirm(client, page, url).status_code == 422
    assert snapshot(app) == state
    # A row that changes nothing (their line in an export kept from before) is no error.
    _url, page = checked(client, xlsx([row(code="J002", name="Member J")]))
    assert "1 unchanged" in page and "0 with errors" in page
    auth.logout()
    auth.login("admin")
    _url, page = checked(client, xlsx([changed[0]]))
    assert "1 updated" in page
    confirm(client, page)
    assert person(app, "J002").phone == "123"


def test_secretary_cannot_transfer_out_someone_who_also_belongs_elsewhere(app, client, auth, world):
    with app.app_context():
        db.session.add(
            Membership(
                person=db.session.get(Person, world["member_person"]),
                unit=db.session.get(OrgUnit, world["cujin"]),
                role=MembershipRole.MEMBER,
                start_date=date(2024, 9, 1),
            )
        )
        db.session.commit()
    state = snapshot(app)
    auth.login("secretary")
    transfer = row(code="J002", name="Member J", state="转出", transferred_out_on="2025-05-01")
    url, page = checked(client, xlsx([transfer]))
    assert "1 with errors" in page
    errors = page[page.index('id="import-errors"') :]
    assert re.search(r"<td[^>]*>2</td>\s*<td[^>]*>[A-Z]+ · 状态</td>", errors)
    assert "the Party office transfers them out" in errors
    assert confirm(client, page, url).status_code == 422
    assert snapshot(app) == state
    # Other changes to the person stay the secretary's.
    _url, page = checked(client, xlsx([row(code="J002", name="Member J", phone="123")]))
    assert "1 updated" in page and "0 with errors" in page
    auth.logout()
    auth.login("admin")
    _url, page = checked(client, xlsx([transfer]))
    assert "1 updated" in page
    confirm(client, page)
    assert person(app, "J002").transferred_out_on == date(2025, 5, 1)


def test_control_characters_never_stop_an_export(app, client, auth, world):
    with app.app_context():
        make_person("J020", "Bad\x01Name", db.session.get(OrgUnit, world["jiguan"]))
        db.session.commit()
    auth.login("admin")
    rows = {values[0]: values for values in exported(client)[1:]}
    assert rows["J020"][KEYS.index("name")] == "BadName"


def test_control_characters_are_removed_from_an_upload(app, client, auth, world):
    auth.login("admin")
    data = xlsx([row(code="N001", name="Ann\x7fa", party_status="群众", unit="jiguan")])
    _url, page = checked(client, data)
    confirm(client, page)
    assert person(app, "N001").name == "Anna"


def test_dates_outside_the_plausible_range_are_named_as_such(app, client, auth, world):
    auth.login("admin")
    rows = [
        row(code="D1", name="Old", party_status="群众", birth_date="1850-03-08", unit="jiguan"),
        row(code="D2", name="Old", party_status="群众", birth_date=18500308, unit="jiguan"),
        row(code="D3", name="Odd", party_status="群众", birth_date="2021-02-30", unit="jiguan"),
    ]
    _url, page = checked(client, xlsx(rows))
    errors = page[page.index('id="import-errors"') :]
    for number, message in (
        ("2", "The year must lie between 1900 and 2100"),
        ("3", "The year must lie between 1900 and 2100"),
        ("4", "This date does not exist"),
    ):
        pattern = (
            rf"<td[^>]*>{number}</td>\s*<td[^>]*>[A-Z]+ · 出生日期</td>"
            rf"\s*<td[^>]*>(?:(?!</tr>).)*?</td>\s*<td[^>]*>[^<]*{re.escape(message)}"
        )
        assert re.search(pattern, errors, re.S), (number, message)


def test_the_forms_earliest_and_latest_dates_survive_a_round_trip(app, client, auth, world):
    with app.app_context():
        member = db.session.get(Person, world["member_person"])
        member.birth_date = date(1900, 1, 1)
        member.regularised_on = date(2100, 12, 31)
        db.session.commit()
    auth.login("admin")
    response = client.get("/members/export")
    state = snapshot(app)
    url, page = checked(client, response.data)
    assert "0 updated" in page and "0 with errors" in page
    confirm(client, page, url)
    assert snapshot(app) == state


ID_NUMBER = "43010219900101123X"
OTHER_SYSTEM = [
    "序号",
    "工作证号",
    "姓名",
    "性别",
    "身份证号",
    "政治面貌",
    "入党时间",
    "转正时间",
    "所在党支部",
    "手机号码",
    "办公电话",
    "备注",
]


def test_a_roster_from_another_system_imports_every_column_it_shares(app, client, auth, world):
    """The template of another Party system: its phone numbers, dates and branch (by name) are
    imported; the office phone is named as not imported; the ID numbers are never stored."""
    auth.login("admin")
    data = xlsx(
        [
            [
                1,
                "W001",
                "李四",
                "男",
                ID_NUMBER,
                "中共党员",
                "2015-07-01",
                "2016-07-01",
                "Jiguan branch",
                "13800138000",
                "0731-84001234",
                "调入",
            ],
            [
                2,
                "W002",
                "单雄信",
                "男",
                "430102199202021234",
                "中共预备党员",
                "2025-12-01",
                None,
                "jiguan",
                "13900139000",
                None,
                None,
            ],
        ],
        headers=OTHER_SYSTEM,
    )
    url, page = checked(client, data)
    assert "2 new" in page and "0 with errors" in page
    unused = page[page.index('id="import-unused-columns"') :]
    unused = " ".join(unused[: unused.index("</div>")].split())
    assert "K · 办公电话" in unused and "is read from column J · 手机号码" in unused
    identity = page[page.index('id="import-identity-columns"') :]
    identity = " ".join(identity[: identity.index("</div>")].split())
    assert "E · 身份证号" in identity and "keeps no identity-card numbers" in identity
    assert "Columns not used: 序号, 备注" in page  # an English page joins with a comma
    assert page.index("import-identity-columns") < page.index('action="/members/import/confirm"')
    assert ID_NUMBER not in page
    with app.app_context():
        batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == token_of(url)))
        assert ID_NUMBER not in str(batch.rows)  # not even while waiting for the confirmation

    assert confirm(client, page).status_code == 303
    li = person(app, "W001")
    assert (li.name, li.gender, li.phone) == ("李四", Gender.MALE, "13800138000")
    assert (li.joined_on, li.regularised_on) == (date(2015, 7, 1), date(2016, 7, 1))
    assert [m.unit.code for m in li.memberships] == ["jiguan"]
    shan = person(app, "W002")
    assert (shan.party_status, shan.phone) == (PartyStatus.PROBATIONARY, "13900139000")
    assert shan.sort_key.startswith("shan4")  # 单, the surname, is Shàn
    with app.app_context():
        trail = " ".join(str(c) for c in db.session.scalars(sa.select(AuditLog.changes)))
    assert "13800138000" in trail and ID_NUMBER not in trail


def test_the_templates_header_wins_and_look_alikes_are_named(app, client, auth, world):
    auth.login("admin")
    headers = [
        "人员编号",
        "姓名",
        "政治面貌",
        "手机",
        "联系电话",
        "入党时间（预备）",
        "所属组织代码",
    ]
    data = xlsx(
        [["L001", "张三", "群众", "13700000000", "0731-1", "2020-01-01", "jiguan"]],
        headers=headers,
    )
    before = totals(app)
    _url, page = checked(client, data)
    unused = page[page.index('id="import-unused-columns"') :]
    unused = " ".join(unused[: unused.index("</div>")].split())
    assert "2 columns look like roster columns but are not imported" in unused
    assert "D · 手机</strong>: Phone is read from column E · 联系电话." in unused
    assert (
        "F · 入党时间（预备）</strong>: if it holds Joined the Party, rename its header to 入党日期"
        in unused
    )
    assert 'id="import-identity-columns"' not in page
    assert totals(app) == before  # said before anything is imported
    confirm(client, page)
    assert person(app, "L001").phone == "0731-1"


def test_a_field_named_twice_by_other_systems_words_is_refused(app, client, auth, world):
    auth.login("admin")
    headers = ["人员编号", "姓名", "手机", "手机号码"]
    response = upload(client, xlsx([["L002", "王五", "1", "2"]], headers=headers))
    assert response.status_code == 422
    assert "The columns C · 手机 and D · 手机号码 both hold 联系电话" in response.get_data(
        as_text=True
    )


def test_a_branch_named_in_the_file_must_be_one_of_the_users(app, client, auth, world):
    auth.login("secretary")
    headers = ["工号", "姓名", "政治面貌", "所在支部"]
    rows = [["M001", "赵六", "群众", "Cujin branch"], ["M002", "钱七", "群众", "第九党支部"]]
    _url, page = checked(client, xlsx(rows, headers=headers))
    assert "2 with errors" in page
    assert "None of your units is called Cujin branch." in page
    assert "None of your units is called 第九党支部." in page


def test_the_import_page_names_no_unit_list_however_many_units(app, client, auth, world, queries):
    add_groups(app, "jiguan", SELECT_LIMIT + 5, "党小组")
    auth.login("secretary")
    with queries() as few:
        assert client.get(IMPORT_URL).status_code == 200
    add_groups(app, "jiguan", 3 * SELECT_LIMIT, "Group ")
    with queries() as many:
        html = client.get(IMPORT_URL).get_data(as_text=True)
    assert many.count == few.count
    assert unlimited_unit_loads(many.statements) == []
    assert "党小组" not in html and "Group 7" not in html
    assert 'id="import-unit-code"' in html and 'hx-get="/members/pick-unit"' in html
    # The template, a download, still lists every unit of one's own with its code.
    workbook = load_workbook(io.BytesIO(client.get("/members/import/template").data))
    listed = " ".join(
        str(v) for r in workbook.worksheets[1].iter_rows(values_only=True) for v in r if v
    )
    assert "jiguan-党小组34" in listed and "jiguan-Group 89" in listed and "cujin" not in listed

"""Signed documents: coverage as DOMAIN.md defines it — hand-counted on the small bureau — who
has not signed, recording a signing from one page with its scan (all or nothing), the lists of
who is expected kept by hand, and the printable list.

The bureau: jiguan's Party members are Secretary J, Member J and Grouped J (in jiguan's group,
so counted for jiguan); cujin's Secretary C and Member C."""

import io
from datetime import date

import sqlalchemy as sa
from activity_helpers import post
from conftest import csrf_token, make_person
from docx import Document
from PIL import Image

from app.audit.models import AuditLog
from app.evidence.models import Evidence
from app.extensions import db
from app.integrity.figures import coverage
from app.integrity.models import Holiday, PledgeKind, SignedDocument, SigningBatch
from app.people.models import MembershipRole, OrgUnit, PartyStatus
from app.types import local_today

YEAR = local_today().year


def _unit(code: str) -> OrgUnit:
    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))


def _figures(app, kind: PledgeKind, code: str, year: int = YEAR, holiday=None):
    with app.app_context():
        found = coverage(kind, _unit(code), year, holiday)
        names = [(p.name, u.name if u else None) for p, u in found.missing]
        return found.expected, found.signed, found.rate, names


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _sign(client, world, query: str, signers: list, **fields):
    url = f"/integrity/pledges/sign?{query}&unit={world['jiguan']}&year={YEAR}"
    data = {
        "csrf_token": csrf_token(client, "/auth/password"),
        "signed_on": date(YEAR, 3, 2).isoformat(),
        "signer": [str(s) for s in signers],
        "files": (io.BytesIO(_png()), "signed-pages.png"),
        **fields,
    }
    return client.post(url, data=data, content_type="multipart/form-data")


def _batches(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SigningBatch))


def test_integrity_pledges_cover_the_units_party_members(app, client, auth, world):
    with app.app_context():
        make_person(
            "J010", "Activist J", _unit("jiguan"), MembershipRole.STAFF, PartyStatus.ACTIVIST
        )
        db.session.commit()
    assert _figures(app, PledgeKind.INTEGRITY, "jiguan") == (
        3,
        0,
        0,
        [("Grouped J", None), ("Member J", None), ("Secretary J", None)],
    )
    auth.login("secretary")
    response = _sign(client, world, "kind=integrity", [world["sec_person"], world["member_person"]])
    assert response.status_code == 303
    with app.app_context():
        batch = db.session.scalar(sa.select(SigningBatch))
        assert response.headers["Location"] == f"/integrity/pledges/batches/{batch.id}"
        assert (batch.kind, batch.year, batch.signed_on) == (
            PledgeKind.INTEGRITY,
            YEAR,
            date(YEAR, 3, 2),
        )
        assert len(batch.documents) == 2
        scans = db.session.scalars(sa.select(Evidence).where(Evidence.signing_batch_id == batch.id))
        assert [scan.original_name for scan in scans] == ["signed-pages.png"]
    expected, signed, rate, missing = _figures(app, PledgeKind.INTEGRITY, "jiguan")
    assert (expected, signed, str(rate), missing) == (3, 2, "66.7", [("Grouped J", None)])
    # The bureau: jiguan's three and cujin's two; last year's signatures count for last year only.
    expected, signed, rate, _names = _figures(app, PledgeKind.INTEGRITY, "bureau")
    assert (expected, signed, str(rate)) == (5, 2, "40.0")
    assert _figures(app, PledgeKind.INTEGRITY, "jiguan", YEAR - 1)[:2] == (3, 0)
    page = client.get(f"/integrity/pledges/?unit={world['jiguan']}&year={YEAR}")
    html = page.get_data(as_text=True)
    assert "2 of 3 signed" in html and "66.7%" in html and "Grouped J" in html


def test_a_signing_is_all_or_nothing(app, client, auth, world):
    auth.login("secretary")
    assert _sign(client, world, "kind=integrity", [world["sec_person"]]).status_code == 303
    before = (_batches(app), _audit(app), _files(app))
    again = _sign(client, world, "kind=integrity", [world["member_person"], world["sec_person"]])
    assert again.status_code == 422  # the form again, with what was wrong
    assert "has signed already or is not expected" in again.get_data(as_text=True)
    # Someone of another branch is not jiguan's to sign for; nobody ticked is no signing.
    other = _sign(client, world, "kind=integrity", [world["cujin_member"]])
    assert other.status_code == 422
    nobody = _sign(client, world, "kind=integrity", [])
    assert nobody.status_code == 422 and "Tick who signed." in nobody.get_data(as_text=True)
    assert (_batches(app), _audit(app), _files(app)) == before
    assert _figures(app, PledgeKind.INTEGRITY, "jiguan")[:2] == (3, 1)


def _audit(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))


def _files(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Evidence))


def test_family_pledges_cover_the_cadres_the_unit_marks(app, client, auth, world):
    assert _figures(app, PledgeKind.FAMILY, "jiguan")[:2] == (0, 0)
    auth.login("secretary")
    url = f"/integrity/pledges/cadres?unit={world['jiguan']}&year={YEAR}"
    marked = post(client, url, {"cadre": [world["sec_person"], world["member_person"]]})
    assert marked.status_code == 303
    assert _figures(app, PledgeKind.FAMILY, "jiguan")[:2] == (2, 0)
    person = world["sec_person"]
    nameless = _sign(client, world, "kind=family", [person])
    assert nameless.status_code == 422
    assert "name and relation of each family member" in nameless.get_data(as_text=True)
    named = {f"family_name-{person}": "Spouse S", f"relation-{person}": "spouse"}
    assert _sign(client, world, "kind=family", [person], **named).status_code == 303
    with app.app_context():
        document = db.session.scalar(sa.select(SignedDocument))
        assert (document.person_id, document.family_name, document.family_relation) == (
            person,
            "Spouse S",
            "spouse",
        )
    assert _figures(app, PledgeKind.FAMILY, "jiguan") == (2, 1, 50, [("Member J", None)])
    # Unticking a cadre takes them off the list; their mark is kept as removed.
    assert post(client, url, {"cadre": [world["sec_person"]]}).status_code == 303
    assert _figures(app, PledgeKind.FAMILY, "jiguan")[:2] == (1, 1)


def test_responsibility_letters_cover_the_pairs_the_admin_lists(app, client, auth, world):
    """Secretary J signs with Member J and with Grouped J; Member J (a team member) with Grouped
    J (a head of a department they lead): three pairs, Grouped J in two of them."""
    admin = auth.client_for("admin")
    url = f"/integrity/pledges/pairs?unit={world['jiguan']}&year={YEAR}"
    listed = [
        ("Secretary J (J001)", "Member J (J002)"),
        ("Secretary J (J001)", "Grouped J (J003)"),
        ("Member J (J002)", "Grouped J (J003)"),
    ]
    for upper, lower in listed:
        response = post(admin, url, {"upper": upper, "lower": lower})
        assert response.status_code == 303, response.get_data(as_text=True)
    same = post(admin, url, {"upper": "Secretary J (J001)", "lower": "Member J (J002)"})
    assert same.status_code == 303  # back to the list, told why
    assert "This pair is listed already." in admin.get(url).get_data(as_text=True)
    assert _figures(app, PledgeKind.RESPONSIBILITY, "jiguan")[0] == 3
    auth.login("secretary")
    assert client.get(url).status_code == 403
    # Grouped J signs with Secretary J: their letter with Member J is still to be signed.
    pair = f"{world['grouped']}-{world['sec_person']}"
    assert _sign(client, world, "kind=responsibility", [pair]).status_code == 303
    unlisted = f"{world['sec_person']}-{world['grouped']}"  # the pair upside down
    assert _sign(client, world, "kind=responsibility", [unlisted]).status_code == 422
    expected, signed, rate, missing = _figures(app, PledgeKind.RESPONSIBILITY, "jiguan")
    assert (expected, signed, str(rate)) == (3, 1, "33.3")
    assert missing == [("Grouped J", "Member J"), ("Member J", "Secretary J")]
    docx = client.get(
        f"/integrity/pledges/missing.docx?kind=responsibility&unit={world['jiguan']}&year={YEAR}"
    )
    assert docx.status_code == 200
    rows = [
        [cell.text for cell in row.cells]
        for table in Document(io.BytesIO(docx.data)).tables
        for row in table.rows
    ]
    assert ["1", "Grouped J", "Member J"] in rows and ["2", "Member J", "Secretary J"] in rows
    assert len(rows) == 3  # the header and the two pairs


def test_holiday_pledges_read_the_party_members_on_the_holiday(app, client, auth, world):
    """Spring Festival of the year; a member who joined jiguan after it is not expected."""
    with app.app_context():
        make_person("J011", "Newcomer J", _unit("jiguan"), start=date(YEAR, 6, 1))
        db.session.commit()
    auth.login("secretary")
    query = "kind=holiday&holiday=spring_festival"
    assert _sign(client, world, query, [world["member_person"]]).status_code == 303
    expected, signed, rate, missing = _figures(
        app, PledgeKind.HOLIDAY, "jiguan", holiday=Holiday.SPRING_FESTIVAL
    )
    assert (expected, signed, str(rate)) == (3, 1, "33.3")
    assert missing == [("Grouped J", None), ("Secretary J", None)]
    # Another holiday's pledge is apart.
    assert _figures(app, PledgeKind.HOLIDAY, "jiguan", holiday=Holiday.NATIONAL_DAY)[:2] == (4, 0)


def test_removing_a_signature_takes_it_out_of_the_coverage(app, client, auth, world):
    auth.login("secretary")
    _sign(client, world, "kind=integrity", [world["sec_person"], world["member_person"]])
    with app.app_context():
        document = db.session.scalar(
            sa.select(SignedDocument).where(SignedDocument.person_id == world["member_person"])
        )
    removed = post(client, f"/integrity/pledges/documents/{document.id}/remove")
    assert removed.status_code == 303
    assert _figures(app, PledgeKind.INTEGRITY, "jiguan")[:2] == (3, 1)
    with app.app_context():
        assert db.session.get(SignedDocument, document.id).deleted_at is not None


def test_only_the_units_keepers_open_its_signed_documents(app, client, auth, world):
    auth.login("secretary")
    _sign(client, world, "kind=integrity", [world["sec_person"]])
    with app.app_context():
        batch = db.session.scalar(sa.select(SigningBatch.id))
        scan = db.session.scalar(sa.select(Evidence.id).where(Evidence.signing_batch_id == batch))
    assert client.get(f"/evidence/{scan}").status_code == 200
    other = auth.client_for("secretary2")
    assert other.get(f"/integrity/pledges/?unit={world['jiguan']}").status_code == 404
    assert other.get(f"/integrity/pledges/batches/{batch}").status_code == 404
    assert other.get(f"/evidence/{scan}").status_code == 404
    member = auth.client_for("member")
    assert member.get("/integrity/pledges/").status_code == 403
    assert member.get(f"/evidence/{scan}").status_code == 404


def test_the_page_links_each_signing_with_the_signatures_it_holds(app, client, auth, world):
    """After leaving a signing's page, the secretary finds it again from the coverage card."""
    auth.login("secretary")
    _sign(client, world, "kind=integrity", [world["sec_person"], world["member_person"]])
    _sign(client, world, "kind=integrity", [world["grouped"]])
    with app.app_context():
        first, second = db.session.scalars(sa.select(SigningBatch.id).order_by(SigningBatch.id))
        document = db.session.scalar(
            sa.select(SignedDocument.id).where(SignedDocument.person_id == world["member_person"])
        )
    post(client, f"/integrity/pledges/documents/{document}/remove")
    html = client.get(f"/integrity/pledges/?unit={world['jiguan']}&year={YEAR}").get_data(
        as_text=True
    )
    assert f'href="/integrity/pledges/batches/{first}"' in html
    assert f'href="/integrity/pledges/batches/{second}"' in html
    assert html.count("(1)</a>") == 2  # one signature left in each

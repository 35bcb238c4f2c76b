"""Evidence: accepted by content only, photos cleaned of metadata, nothing stored when refused,
files served with safe headers to those who may read the owner, the gallery three ways."""

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import csrf_token, make_person, make_user
from docx import Document
from openpyxl import Workbook
from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage

from app.activities.models import (
    Activity,
    ActivityState,
    AttendanceStatus,
    Participation,
)
from app.activities.services import Refused
from app.auth.models import Role, User
from app.evidence import photos
from app.evidence import services as files
from app.evidence.content import CONTENT_TYPES
from app.evidence.models import Evidence, EvidenceKind
from app.evidence.storage import relative_path
from app.extensions import db
from app.people.models import OrgUnit, Person
from app.study.models import StudyKind
from app.study.services import create_session
from app.types import utcnow

HTMX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}
NOT_ACCEPTED = "This file type is not accepted"


# --- files to upload -------------------------------------------------------------------------


def photo_with_gps() -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90° clockwise" and where it was taken."""
    image = Image.new("RGB", (120, 80), "red")
    image.paste(Image.new("RGB", (60, 80), "blue"), (60, 0))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 15.0, 10.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (120.0, 10.0, 5.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    data = out.getvalue()
    raw = Image.open(io.BytesIO(data))
    assert raw.size == (120, 80)
    assert raw.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture really carries GPS
    return data


def image_bytes(fmt: str, mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)).save(out, fmt)
    return out.getvalue()


def heic_bytes() -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return image_bytes("HEIF")


def pdf_bytes() -> bytes:
    """A real one-page PDF: uploaded PDFs are read through before they are accepted."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf_bytes()


def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("签到表")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active["A1"] = "签到"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def docm_bytes() -> bytes:
    """A Word package with macros: the main part declares the macro-enabled type."""
    data = docx_bytes()
    source = zipfile.ZipFile(io.BytesIO(data))
    entries = {name: source.read(name) for name in source.namelist()}
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    return zip_bytes(entries)


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot be run"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def session_id(app, world) -> int:
    """A jiguan branch general meeting held yesterday; member J and the branch are expected."""
    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        start = utcnow().replace(microsecond=0) - timedelta(days=1)
        session = create_session(
            {
                "title": "Branch meeting",
                "kind": StudyKind.GENERAL_MEETING,
                "unit": db.session.get(OrgUnit, world["jiguan"]),
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
            },
            secretary,
        )
        db.session.commit()
        expected = {row.person_id for row in session.participations}
        assert world["member_person"] in expected
        return session.id


@pytest.fixture
def outsider(app, world) -> str:
    """A member of the other branch: not on the jiguan session's list."""
    with app.app_context():
        person = db.session.get(Person, world["cujin_member"])
        make_user("member2", Role.MEMBER, person)
        db.session.commit()
    return "member2"


def post_files(client, url: str, *uploads: tuple[bytes, str, str], headers=None, **fields):
    token = csrf_token(client, "/")
    data = {"csrf_token": token, **fields}
    data["files"] = [(io.BytesIO(content), name, kind) for content, name, kind in uploads]
    return client.post(url, data=data, headers=headers or {}, content_type="multipart/form-data")


def upload_url(session_id: int) -> str:
    return f"/activities/{session_id}/evidence"


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def evidence_rows(app) -> list[Evidence]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Evidence).order_by(Evidence.id)))
        db.session.expunge_all()
        return rows


def assert_nothing_stored(app) -> None:
    assert evidence_rows(app) == []
    assert stored_files(app) == []


def uploaded(app, client, auth, session_id, content: bytes, name: str, kind: str) -> Evidence:
    auth.login("secretary")
    response = post_files(client, upload_url(session_id), (content, name, kind), headers=HTMX)
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = evidence_rows(app)
    assert len(rows) == 1
    return rows[0]


# --- refused by content ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (EXECUTABLE, "photo.jpg", "image/jpeg"),
        (ELF, "scan.pdf", "application/pdf"),
        (SVG, "badge.svg", "image/svg+xml"),
        (SVG, "badge.png", "image/png"),
        (HTML, "minutes.html", "text/html"),
        (HTML, "minutes.docx", "application/octet-stream"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "broken.jpg", "image/jpeg"),
        (zip_bytes({"payload.exe": EXECUTABLE}), "archive.docx", "application/zip"),
        (zip_bytes({"[Content_Types].xml": b"<Types/>", "other.xml": b"<x/>"}), "a.xlsx", ""),
        (docm_bytes(), "macros.docx", "application/octet-stream"),
    ],
)
def test_files_are_refused_by_what_they_are(app, client, auth, session_id, content, name, kind):
    auth.login("secretary")
    response = post_files(client, upload_url(session_id), (content, name, kind), headers=HTMX)
    assert response.status_code == 422
    assert response.headers["HX-Reswap"] == "none"
    body = response.get_data(as_text=True)
    assert NOT_ACCEPTED in body or "could not be read" in body
    assert_nothing_stored(app)


def test_a_refused_file_refuses_the_batch_and_leaves_no_file(app, client, auth, session_id):
    auth.login("secretary")
    response = post_files(
        client,
        upload_url(session_id),
        (photo_with_gps(), "good.jpg", "image/jpeg"),
        (PDF, "good.pdf", "application/pdf"),
        (EXECUTABLE, "setup.jpg", "image/jpeg"),
        headers=HTMX,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "setup.jpg" in body and "Nothing was uploaded" in body
    assert_nothing_stored(app)


def test_a_file_over_the_limit_is_refused(app, client, auth, session_id):
    app.config["MAX_UPLOAD_MB"] = 1
    auth.login("secretary")
    big = PDF + b"0" * (1024 * 1024)
    response = post_files(client, upload_url(session_id), (big, "big.pdf", "application/pdf"))
    assert response.status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert "The file is larger than 1 MB." in page
    assert_nothing_stored(app)


def test_a_request_over_the_limit_gets_a_clear_413(app, client, auth, session_id):
    auth.login("secretary")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    big = PDF + b"0" * (100 * 1024)
    fragment = post_files(client, upload_url(session_id), (big, "a.pdf", ""), headers=HTMX)
    assert fragment.status_code == 413
    assert fragment.headers["HX-Reswap"] == "none"
    body = fragment.get_data(as_text=True)
    assert "each file may be up to 20 MB" in body and 'hx-swap-oob="true"' in body
    page = post_files(client, upload_url(session_id), (big, "a.pdf", ""))
    assert page.status_code == 413
    assert "each file may be up to 20 MB" in page.get_data(as_text=True)
    assert_nothing_stored(app)


def test_an_empty_choice_is_refused(app, client, auth, session_id):
    auth.login("secretary")
    response = post_files(client, upload_url(session_id), headers=HTMX)
    assert response.status_code == 422
    assert "Choose one or more files" in response.get_data(as_text=True)


@pytest.mark.parametrize("state", [ActivityState.CANCELLED, ActivityState.ARCHIVED])
def test_no_new_evidence_on_a_cancelled_or_archived_session(app, client, auth, session_id, state):
    with app.app_context():
        db.session.get(Activity, session_id).state = state
        db.session.commit()
    auth.login("secretary")
    response = post_files(
        client, upload_url(session_id), (PDF, "a.pdf", "application/pdf"), headers=HTMX
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "cancelled" in body if state is ActivityState.CANCELLED else "archived" in body
    assert_nothing_stored(app)


# --- accepted and cleaned --------------------------------------------------------------------


def test_a_phone_photo_is_stored_upright_without_metadata(app, client, auth, session_id):
    row = uploaded(app, client, auth, session_id, photo_with_gps(), "IMG_0001.JPG", "")
    assert row.kind is EvidenceKind.IMAGE
    assert row.content_type == "image/jpeg"
    assert row.original_name == "IMG_0001.jpg"
    folder = Path(app.config["UPLOAD_FOLDER"])
    stored = Image.open(folder / relative_path(row.stored_name))
    assert stored.format == "JPEG"
    assert stored.size == (80, 120)  # turned upright: the raw photo was 120 × 80
    # Rotated clockwise, the blue right half is now the bottom.
    assert stored.getpixel((40, 100))[2] > 200 and stored.getpixel((40, 20))[0] > 200
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in stored.info and "comment" not in stored.info
    assert "icc_profile" not in stored.info
    raw = (folder / relative_path(row.stored_name)).read_bytes()
    assert b"PhoneMaker" not in raw and b"taken at home" not in raw
    assert row.size == len(raw)
    thumbnail = Image.open(folder / relative_path(row.thumbnail_name))
    assert thumbnail.format == "JPEG" and not thumbnail.getexif()
    assert stored_files(app) == sorted(
        [
            folder / relative_path(row.stored_name),
            folder / relative_path(row.thumbnail_name),
        ]
    )


def test_large_photos_are_shrunk(app, client, auth, session_id):
    row = uploaded(
        app, client, auth, session_id, image_bytes("JPEG", size=(6000, 3000)), "wide.jpg", ""
    )
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert Image.open(folder / relative_path(row.stored_name)).size == (4000, 2000)
    assert max(Image.open(folder / relative_path(row.thumbnail_name)).size) == 480


def test_a_photo_with_too_many_pixels_is_refused(app, client, auth, session_id, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 1000)
    auth.login("secretary")
    response = post_files(
        client, upload_url(session_id), (image_bytes("PNG"), "a.png", "image/png"), headers=HTMX
    )
    assert response.status_code == 422
    assert "too many pixels" in response.get_data(as_text=True)
    assert_nothing_stored(app)


@pytest.mark.parametrize(
    ("content", "name", "kind", "extension", "content_type"),
    [
        (image_bytes("PNG", "RGBA"), "screen.png", EvidenceKind.IMAGE, "png", "image/png"),
        (image_bytes("WEBP", "RGBA"), "shot.webp", EvidenceKind.IMAGE, "jpg", "image/jpeg"),
        (heic_bytes(), "IMG_1.HEIC", EvidenceKind.IMAGE, "jpg", "image/jpeg"),
        (PDF, "sheet", EvidenceKind.PDF, "pdf", "application/pdf"),
        (docx_bytes(), "纪要.docx", EvidenceKind.DOCX, "docx", CONTENT_TYPES["docx"]),
        (xlsx_bytes(), "签到.XLSX", EvidenceKind.XLSX, "xlsx", CONTENT_TYPES["xlsx"]),
    ],
)
def test_accepted_kinds(
    app, client, auth, session_id, content, name, kind, extension, content_type
):
    row = uploaded(app, client, auth, session_id, content, name, "application/octet-stream")
    assert row.kind is kind
    assert row.content_type == content_type
    assert row.stored_name.endswith("." + extension)
    assert row.original_name == name.rsplit(".", 1)[0] + "." + extension
    assert (row.thumbnail_name is not None) is (kind is EvidenceKind.IMAGE)
    stored = Path(app.config["UPLOAD_FOLDER"]) / relative_path(row.stored_name)
    if kind is EvidenceKind.IMAGE:
        assert Image.open(stored).format == ("PNG" if extension == "png" else "JPEG")
    else:
        assert stored.read_bytes() == content  # documents are kept as sent


def test_a_png_keeps_its_transparency(app, client, auth, session_id):
    row = uploaded(app, client, auth, session_id, image_bytes("PNG", "RGBA"), "a.png", "")
    stored = Image.open(Path(app.config["UPLOAD_FOLDER"]) / relative_path(row.stored_name))
    assert stored.mode == "RGBA" and stored.getpixel((0, 0))[3] == 128


def test_stored_names_are_random_and_say_nothing_of_the_original(app, client, auth, session_id):
    row = uploaded(app, client, auth, session_id, PDF, "../../etc/passwd.pdf", "")
    assert row.original_name == "passwd.pdf"
    assert "passwd" not in row.stored_name and len(row.stored_name) >= 32


def test_files_written_are_removed_when_the_transaction_does_not_commit(app, world, session_id):
    with app.test_request_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        activity = db.session.get(Activity, session_id)
        upload = FileStorage(io.BytesIO(photo_with_gps()), "a.jpg")
        files.attach(upload, activity=activity, by=secretary)
        assert len(stored_files(app)) == 2
        db.session.rollback()
    assert_nothing_stored(app)


# --- serving ---------------------------------------------------------------------------------


def test_documents_download_and_photos_show_inline_with_safe_headers(app, client, auth, session_id):
    auth.login("secretary")
    post_files(client, upload_url(session_id), (PDF, "会议记录.pdf", ""), headers=HTMX)
    post_files(client, upload_url(session_id), (photo_with_gps(), "p.jpg", ""), headers=HTMX)
    pdf, photo = evidence_rows(app)

    response = client.get(f"/evidence/{pdf.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E8%AE%B0%E5%BD%95.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"

    shown = client.get(f"/evidence/{photo.id}")
    assert shown.mimetype == "image/jpeg"
    assert shown.headers["Content-Disposition"].startswith("inline;")
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    small = client.get(f"/evidence/{photo.id}/thumbnail")
    assert small.status_code == 200 and small.mimetype == "image/jpeg"
    assert small.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/evidence/{pdf.id}/thumbnail").status_code == 404


# --- access ----------------------------------------------------------------------------------


@pytest.fixture
def photo_id(app, client, auth, session_id) -> int:
    row = uploaded(app, client, auth, session_id, photo_with_gps(), "p.jpg", "image/jpeg")
    auth.logout()
    return row.id


@pytest.mark.parametrize(
    ("username", "view", "upload", "delete"),
    [
        ("admin", 200, 200, 200),
        ("secretary", 200, 200, 200),
        ("secretary2", 404, 404, 404),
        ("member", 200, 403, 403),
        ("member2", 404, 404, 404),
    ],
)
def test_access_follows_the_session(
    app, client, auth, session_id, photo_id, outsider, username, view, upload, delete
):
    auth.login(username)
    assert client.get(f"/evidence/{photo_id}").status_code == view
    assert client.get(f"/evidence/{photo_id}/thumbnail").status_code == view
    response = post_files(client, upload_url(session_id), (PDF, "a.pdf", ""), headers=HTMX)
    assert response.status_code == upload
    token = csrf_token(client, "/")
    removed = client.post(f"/evidence/{photo_id}/delete", data={"csrf_token": token}, headers=HTMX)
    assert removed.status_code == delete
    with app.app_context():
        assert (db.session.get(Evidence, photo_id).deleted_at is not None) is (delete == 200)


def test_anonymous_is_sent_to_sign_in(app, client, session_id, photo_id):
    for url in (f"/evidence/{photo_id}", f"/evidence/{photo_id}/thumbnail"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    token = csrf_token(client, "/auth/login")
    for url in (upload_url(session_id), f"/evidence/{photo_id}/delete"):
        response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    assert len(evidence_rows(app)) == 1


def test_removed_evidence_is_gone_for_everyone(app, client, auth, session_id, photo_id):
    auth.login("secretary")
    token = csrf_token(client, "/")
    response = client.post(f"/evidence/{photo_id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/study/{session_id}"
    assert client.get(f"/evidence/{photo_id}").status_code == 404
    assert client.get(f"/evidence/{photo_id}/thumbnail").status_code == 404
    again = client.post(f"/evidence/{photo_id}/delete", data={"csrf_token": token})
    assert again.status_code == 404
    (row,) = evidence_rows(app)
    assert row.deleted_at is not None
    assert len(stored_files(app)) == 2  # soft delete: the files stay, restorable


def test_evidence_of_an_archived_session_cannot_be_removed(app, client, auth, session_id, photo_id):
    with app.app_context():
        db.session.get(Activity, session_id).state = ActivityState.ARCHIVED
        db.session.commit()
    auth.login("secretary")
    token = csrf_token(client, "/")
    response = client.post(f"/evidence/{photo_id}/delete", data={"csrf_token": token}, headers=HTMX)
    assert response.status_code == 422
    assert "archived" in response.get_data(as_text=True)
    assert evidence_rows(app)[0].deleted_at is None
    assert client.get(f"/evidence/{photo_id}").status_code == 200


def test_make_up_evidence_is_the_members_and_their_secretaries(
    app, client, auth, world, session_id, outsider
):
    with app.test_request_context():
        row = db.session.scalar(
            sa.select(Participation).where(
                Participation.activity_id == session_id,
                Participation.person_id == world["member_person"],
            )
        )
        row.status = AttendanceStatus.ABSENT
        member = db.session.scalar(sa.select(User).where(User.username == "member"))
        upload = FileStorage(io.BytesIO(PDF), "notes.pdf")
        item = files.attach(upload, participation=row, by=member)
        # Another jiguan person on the list sees the session but not this member's make-up.
        colleague = make_person("J009", "Colleague J")
        db.session.add(Participation(activity_id=session_id, person=colleague))
        make_user("colleague", Role.MEMBER, colleague)
        db.session.commit()
        item_id = item.id
    expected = {
        "member": 200,
        "secretary": 200,
        "admin": 200,
        "secretary2": 404,
        "member2": 404,
        "colleague": 404,
    }
    for username, status in expected.items():
        auth.login(username)
        assert client.get(f"/evidence/{item_id}").status_code == status, username
        auth.logout()
    auth.login("member")
    token = csrf_token(client, "/")
    response = client.post(f"/evidence/{item_id}/delete", data={"csrf_token": token}, headers=HTMX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/study/{session_id}"
    assert evidence_rows(app)[0].deleted_at is not None


# --- the gallery, three ways -----------------------------------------------------------------


def test_upload_three_ways(app, client, auth, session_id):
    auth.login("secretary")
    url = upload_url(session_id)

    plain = post_files(client, url, (PDF, "a.pdf", ""))
    assert plain.status_code == 303
    assert plain.headers["Location"] == f"/study/{session_id}"
    page = client.get(plain.headers["Location"]).get_data(as_text=True)
    assert page.startswith("<!doctype html>") and 'id="evidence-gallery"' in page
    assert "1 file has been added." in page and "a.pdf" in page

    fragment = post_files(client, url, (photo_with_gps(), "b.jpg", ""), headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert body.lstrip().startswith('<div id="evidence-gallery"')
    assert "<html" not in body
    assert 'hx-swap-oob="true"' in body and "1 file has been added." in body
    assert "a.pdf" in body and "/thumbnail" in body
    assert 'hx-encoding="multipart/form-data"' in body and 'name="files"' in body
    assert "Vary" in fragment.headers and "HX-Boosted" in fragment.headers["Vary"]

    boosted = post_files(
        client, url, (PDF, "c.pdf", ""), (PDF, "d.pdf", ""), headers=BOOSTED, next="/"
    )
    assert boosted.status_code == 303
    assert boosted.headers["Location"] == "/"
    page = client.get("/", headers=BOOSTED).get_data(as_text=True)
    assert page.startswith("<!doctype html>") and "2 files have been added." in page
    assert len(evidence_rows(app)) == 4


def test_next_must_be_a_local_path(app, client, auth, session_id):
    auth.login("secretary")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = post_files(client, upload_url(session_id), (PDF, "a.pdf", ""), next=target)
        assert response.headers["Location"] == f"/study/{session_id}"


def test_gallery_empty_state_and_members_see_no_form(app, client, auth, session_id):
    from flask import render_template

    with app.test_request_context(headers={"Accept-Language": "en"}):
        activity = db.session.get(Activity, session_id)
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        member = db.session.scalar(sa.select(User).where(User.username == "member"))
        empty = render_template("evidence/_gallery.html", **files.gallery(activity, secretary))
        assert "No evidence yet" in empty and 'name="files"' in empty
        assert "style=" not in empty and "<script" not in empty
        for_member = render_template("evidence/_gallery.html", **files.gallery(activity, member))
        assert 'name="files"' not in for_member


def test_attach_needs_exactly_one_owner(app, world, session_id):
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        with pytest.raises(ValueError, match="exactly one owner"):
            files.attach(FileStorage(io.BytesIO(PDF), "a.pdf"), by=user)
        with pytest.raises(Refused):
            files.attach(
                FileStorage(io.BytesIO(b"")), activity=db.session.get(Activity, session_id), by=user
            )

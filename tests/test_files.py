"""The files people open (``app/files/``): one Office/zip check with a policy per use, and the
Excel pieces every workbook shares."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from test_evidence import (
    NOT_ACCEPTED,
    assert_nothing_stored,
    post_files,
    session_id,  # noqa: F401 - the fixture
    upload_url,
)
from test_roster_io import checked, row, xlsx

from app.files import excel, office


def padded(data: bytes, entries: int = 0, macros: bool = False) -> bytes:
    """The package with ``entries`` more small parts, and a macro project when asked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        for number in range(entries):
            target.writestr(f"customXml/item{number}.xml", b"<x/>")
        if macros:
            target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macros")
    return buffer.getvalue()


def workbook() -> bytes:
    return xlsx([row(code="Z1", name="Zipped", party_status="群众", unit="jiguan")])


def test_the_two_policies_differ_in_parts_and_macros():
    """The roster takes up to 5,000 parts and a macro project (openpyxl runs none); evidence,
    opened later in Office by others, at most 2,000 parts and no macros."""
    many = padded(workbook(), entries=2500)
    with_macros = padded(workbook(), macros=True)
    for data in (many, with_macros):
        assert "[Content_Types].xml" in office.open_package(data, office.ROSTER).names
    with pytest.raises(office.TooLarge):
        office.open_package(many, office.EVIDENCE)
    with pytest.raises(office.NotOffice):
        office.open_package(with_macros, office.EVIDENCE)
    too_many = padded(workbook(), entries=5001)
    for policy in (office.ROSTER, office.EVIDENCE):
        with pytest.raises(office.TooLarge):
            office.open_package(too_many, policy)


def test_damaged_or_foreign_zips_are_no_office_files():
    no_types = io.BytesIO()
    with zipfile.ZipFile(no_types, "w") as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    for data in (b"PK\x03\x04garbage", b"not a zip", no_types.getvalue()):
        for policy in (office.ROSTER, office.EVIDENCE):
            with pytest.raises(office.NotOffice):
                office.open_package(data, policy)


def test_the_same_workbook_is_a_roster_but_no_evidence(app, client, auth, world, session_id):  # noqa: F811
    """Through both doors: the roster import reads a workbook carrying macros and many parts,
    the evidence upload refuses it as a file type it does not take."""
    data = padded(workbook(), entries=2500, macros=True)
    auth.login("admin")
    _url, page = checked(client, data)
    assert "1 new" in page and "0 with errors" in page
    auth.logout()
    auth.login("secretary")
    response = post_files(client, upload_url(session_id), (data, "roster.xlsx", ""))
    assert response.status_code == 303
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert NOT_ACCEPTED in shown
    assert_nothing_stored(app)


def test_text_stays_text_and_headers_are_bold():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("S")
    excel.column_widths(sheet, (12, 30))
    sheet.append(excel.header_cells(sheet, ["名\x01称", "备注"]))
    sheet.append([excel.text_cell(sheet, "=1+1"), excel.text_cell(sheet, 7)])
    read = load_workbook(io.BytesIO(excel.save(book))).active
    assert read["A1"].value == "名称" and read["A1"].font.b
    assert read["A2"].value == "=1+1" and read["A2"].data_type == "s"
    assert read["B2"].value == 7
    assert read.column_dimensions["B"].width == 30

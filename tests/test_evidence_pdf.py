"""Hostile PDFs: a PDF carrying JavaScript, a Launch action or embedded files is refused with the
reason, in English and Chinese, and nothing is stored; an ordinary PDF is stored as sent."""

import io
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)
from test_evidence import (
    HTMX,
    PDF,
    assert_nothing_stored,
    evidence_rows,
    post_files,
    session_id,
    stored_files,
    upload_url,
)

__all__ = ["session_id"]  # the fixture, shared with test_evidence


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    return writer


def javascript_on_open() -> bytes:
    writer = one_page()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hi')"),
        }
    )
    return written(writer)


def javascript_in_names() -> bytes:
    """Document-level scripts in the catalogue's name tree, the action as an indirect object."""
    writer = one_page()
    action = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("this.print()"),
            }
        )
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"), action])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )
    return written(writer)


def launch_link() -> bytes:
    """A link on the page that starts a program."""
    writer = one_page()
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 100, 100)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject("cmd.exe"),
                }
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return written(writer)


def embedded_file() -> bytes:
    writer = one_page()
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    return written(writer)


def hand_written(body: bytes) -> bytes:
    """A PDF with the given objects (numbered from 1, the first the catalogue) and a valid
    cross-reference table."""
    objects = [chunk.strip() for chunk in body.split(b"\n---\n")]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>\n---\n<< /Type /Pages /Kids [] /Count 0 >>"

# "/J#53" is "/JS" and "/J#61vaScript" is "/JavaScript" once the name is decoded.
ESCAPED_NAMES = hand_written(
    CATALOG + b"\n---\n<< /S /J#61vaScript /J#53 (app.alert(1)) >>"  # reachable from nothing
)


def in_object_stream() -> bytes:
    """The script sits in a compressed object stream, found only through the xref stream."""
    inner = b"<< /S /JavaScript /JS (app.alert(2)) >>"
    header = b"3 0 "
    stream = zlib.compress(header + inner)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    offsets.append(len(out))  # object 4: the object stream
    out += (
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(stream))
        + stream
        + b"\nendstream\nendobj\n"
    )
    xref_offset = len(out)
    # Object 5, the xref stream: type, field 2, field 3 as 1, 4 and 1 bytes.
    rows = [b"\x00\x00\x00\x00\x00\xff"]
    rows += [b"\x01" + offset.to_bytes(4, "big") + b"\x00" for offset in offsets[:2]]
    rows += [b"\x02" + (4).to_bytes(4, "big") + b"\x00"]  # object 3: in stream 4, index 0
    rows += [b"\x01" + offsets[2].to_bytes(4, "big") + b"\x00"]
    rows += [b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00"]
    table = b"".join(rows)
    out += (
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 1] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    )
    return bytes(out)


def password_protected() -> bytes:
    writer = one_page()
    writer.encrypt("secret", algorithm="RC4-128")
    return written(writer)


@pytest.mark.parametrize(
    ("make", "found"),
    [
        (javascript_on_open, "JavaScript"),
        (javascript_in_names, "JavaScript"),
        (launch_link, "an action that starts a program"),
        (embedded_file, "embedded files"),
        (lambda: ESCAPED_NAMES, "JavaScript"),
        (in_object_stream, "JavaScript"),
    ],
    ids=["open-action", "name-tree", "launch", "attachment", "escaped-names", "object-stream"],
)
def test_a_pdf_with_active_content_is_refused(app, client, auth, session_id, make, found):
    auth.login("secretary")
    response = post_files(
        client, upload_url(session_id), (make(), "minutes.pdf", "application/pdf"), headers=HTMX
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f"This PDF is not accepted: it contains {found}" in body
    assert_nothing_stored(app)


def test_the_refusal_names_everything_found_in_chinese(app, client, auth, session_id):
    writer = PdfWriter(clone_from=io.BytesIO(launch_link()))
    writer.add_attachment("a.txt", b"hi")
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )
    auth.login("secretary")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    response = post_files(
        client, upload_url(session_id), (written(writer), "a.pdf", ""), headers=HTMX
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "不接受这个 PDF：它含有JavaScript 脚本、启动程序的动作和嵌入文件" in body
    assert_nothing_stored(app)


@pytest.mark.parametrize(
    "content",
    [password_protected(), b"%PDF-1.4\n" + b"\x00garbage" * 50],
    ids=["password", "damaged"],
)
def test_a_pdf_that_cannot_be_read_is_refused(app, client, auth, session_id, content):
    auth.login("secretary")
    response = post_files(client, upload_url(session_id), (content, "a.pdf", ""), headers=HTMX)
    assert response.status_code == 422
    assert "This PDF could not be read, so it could not be checked" in response.get_data(
        as_text=True
    )
    assert_nothing_stored(app)


def test_an_ordinary_pdf_is_stored_as_sent(app, client, auth, session_id):
    writer = one_page()
    writer.add_metadata({"/Title": "会议记录"})
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 10, 10)]),
            NameObject("/A"): DictionaryObject(
                {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("x")}
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    content = written(writer)
    auth.login("secretary")
    for accepted in (content, PDF):
        response = post_files(client, upload_url(session_id), (accepted, "a.pdf", ""), headers=HTMX)
        assert response.status_code == 200
    rows = evidence_rows(app)
    assert len(rows) == 2
    assert [path.read_bytes() for path in stored_files(app)].count(content) == 1

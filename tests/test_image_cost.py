"""What cleaning a photo may cost: the largest photo accepted in each format adds at most 300 MB
to a process, measured in a fresh one; photos over a limit are refused by their header before
anything is decoded, with the limit named; one request decodes at most REQUEST_PIXELS."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from big_images import write_encoded, write_jpeg, write_png
from test_evidence import assert_nothing_stored, post_files, session_id, upload_url

from app.evidence import photos
from app.evidence.models import Evidence

__all__ = ["session_id"]  # the fixture, shared with test_evidence

PROJECT = Path(__file__).resolve().parent.parent
BOUND_MB = 300

# Runs in a fresh interpreter: reads the photo, notes the peak resident size, cleans the photo,
# prints the peak's growth in kB and the outcome.
PROBE = """
import resource, sys
sys.path.insert(0, sys.argv[3])
from app.evidence import photos
from app.activities.services import Refused
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    photos.clean_image(data, sys.argv[2])
    outcome = "cleaned"
except Refused as refused:
    outcome = "refused"
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(after - before, outcome)
"""
# A child's ru_maxrss starts at its parent's resident size (Linux carries it over fork and exec),
# so the test process — large after making images — would hide the growth. A small middle
# process gives the probe a fresh start.
LAUNCH = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def added_memory_mb(path: Path, image_format: str) -> tuple[float, str]:
    command = [sys.executable, "-c", LAUNCH, sys.executable, "-c", PROBE]
    result = subprocess.run(
        [*command, str(path), image_format, str(PROJECT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    kilobytes, outcome = result.stdout.split()
    return int(kilobytes) / 1024, outcome


def heic(path: Path, width: int, height: int, mode: str = "RGB") -> Path:
    """A HEIC made of 512-pixel tiles, as phones write them."""
    import pillow_heif

    tile_size = pillow_heif.options.GRID_TILE_SIZE
    pillow_heif.options.GRID_TILE_SIZE = 512
    try:
        return write_encoded(path, width, height, "HEIF", mode)
    finally:
        pillow_heif.options.GRID_TILE_SIZE = tile_size


# The largest accepted photo of each kind, in its costliest shape: square (the widest
# intermediate image when shrinking), with transparency or turned by EXIF where that costs more.
WORST = {
    "png-rgba-turned": ("PNG", lambda p: write_png(p, 5656, 5656, orientation=6)),
    "png-rgb": ("PNG", lambda p: write_png(p, 5656, 5656, color_type=2)),
    "jpeg-full-size": ("JPEG", lambda p: write_jpeg(p, 5656, 5656, layout="444", orientation=6)),
    "jpeg-128mp-at-half": ("JPEG", lambda p: write_jpeg(p, 11313, 11313)),
    "jpeg-200mp-cmyk": ("JPEG", lambda p: write_jpeg(p, 16329, 12247, layout="CMYK")),
    "jpeg-progressive-cmyk": (
        "JPEG",
        lambda p: write_jpeg(p, 6000, 3999, layout="CMYK", progressive=True),
    ),
    "webp-rgba": ("WEBP", lambda p: write_encoded(p, 5000, 3200, "WEBP", "RGBA")),
    "heic-24mp": ("HEIF", lambda p: heic(p, 5712, 4284)),
}


@pytest.mark.parametrize("case", WORST)
def test_the_largest_accepted_photo_stays_within_the_memory_bound(tmp_path, case):
    image_format, make = WORST[case]
    path = make(tmp_path / f"{case}.img")
    assert path.stat().st_size < 4 * 1024 * 1024  # far below the upload limit
    added, outcome = added_memory_mb(path, image_format)
    assert outcome == "cleaned"
    assert added <= BOUND_MB, f"{case}: {added:.0f} MB"
    # The measurement sees the decoding: each of these costs well over 50 MB.
    assert added > 50, f"{case}: {added:.0f} MB"


OVER = {
    "PNG": (lambda p: write_png(p, 5657, 5657, color_type=2), "a PNG photo", "32"),
    "JPEG": (lambda p: write_jpeg(p, 16330, 12248, layout="L"), "a JPEG photo", "200"),
    "progressive": (
        lambda p: write_jpeg(p, 4900, 4900, progressive=True),
        "a progressive JPEG photo",
        "24",
    ),
    "separate scans": (
        lambda p: write_jpeg(p, 4900, 4900, separate_scans=True),
        "a progressive JPEG photo",
        "24",
    ),
    "WEBP": (lambda p: write_encoded(p, 4001, 4000, "WEBP"), "a WebP photo", "16"),
}


@pytest.mark.parametrize("case", OVER)
def test_a_photo_over_its_limit_is_refused_by_its_header(
    app, client, auth, session_id, tmp_path, case
):
    make, kind, megapixels = OVER[case]
    content = make(tmp_path / "big.img").read_bytes()
    auth.login("secretary")
    response = post_files(
        client, upload_url(session_id), (content, "big.img", ""), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f"too many pixels: {kind} may have at most {megapixels} megapixels" in body
    assert_nothing_stored(app)


def test_the_limits_are_named_in_chinese(app, client, auth, session_id, tmp_path):
    content = write_png(tmp_path / "big.png", 5657, 5657, color_type=2).read_bytes()
    auth.login("secretary")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    response = post_files(
        client, upload_url(session_id), (content, "big.png", ""), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "PNG 照片最多 32 百万像素" in response.get_data(as_text=True)
    assert_nothing_stored(app)


def test_lossless_and_hierarchical_jpegs_are_refused(app, client, auth, session_id, tmp_path):
    content = bytearray(write_jpeg(tmp_path / "a.jpg", 64, 48).read_bytes())
    frame = content.index(b"\xff\xc0")
    content[frame + 1] = 0xC3  # spatial lossless: no reduced-scale decoding
    auth.login("secretary")
    response = post_files(
        client,
        upload_url(session_id),
        (bytes(content), "a.jpg", ""),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "could not be read" in response.get_data(as_text=True)
    assert_nothing_stored(app)


def test_one_request_decodes_a_bounded_number_of_pixels(app, client, auth, session_id, monkeypatch):
    """Three 64 × 48 photos (3,072 pixels each) against a budget of 8,000: the third is refused
    and with it the batch."""
    monkeypatch.setattr(photos, "REQUEST_PIXELS", 8000)
    photo = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (64, 48), "red").save(photo, "PNG")
    auth.login("secretary")
    upload = (photo.getvalue(), "a.png", "image/png")
    two = post_files(client, upload_url(session_id), upload, upload, headers={"HX-Request": "true"})
    assert two.status_code == 200, two.get_data(as_text=True)
    with app.app_context():
        from app.extensions import db

        db.session.execute(Evidence.__table__.delete())
        db.session.commit()
    for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*.*"):
        path.unlink()
    three = post_files(
        client, upload_url(session_id), upload, upload, upload, headers={"HX-Request": "true"}
    )
    assert three.status_code == 422
    body = three.get_data(as_text=True)
    assert "at most 0.008 megapixels together" in body and "Nothing was uploaded" in body
    assert_nothing_stored(app)


def test_a_large_jpeg_is_decoded_at_reduced_scale(tmp_path):
    """A JPEG over JPEG_FULL_DECODE_PIXELS is read at half its size or less; a smaller one that
    needs no shrinking to fill MAX_SIDE is read at full size; a progressive one over MAX_SIDE
    at half."""
    from PIL import Image

    def decoded_size(width: int, height: int, buffered: bool = False) -> tuple[int, int]:
        image = Image.open(write_jpeg(tmp_path / "a.jpg", width, height))
        photos._draft(image, buffered=buffered)
        return image.size

    assert photos.JPEG_FULL_DECODE_PIXELS == 32_000_000
    assert decoded_size(6000, 5000) == (6000, 5000)  # 30 MP: full size, then shrunk
    assert decoded_size(7000, 5000) == (3500, 2500)  # 35 MP: half
    assert decoded_size(7999, 7999) == (4000, 4000)  # 64 MP: half
    assert decoded_size(16000, 12000) == (4000, 3000)  # 192 MP: a quarter
    assert decoded_size(6000, 3999, buffered=True) == (3000, 2000)

"""Demo photos: JPEGs drawn in code, so the demo needs no image files."""

import io
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from PIL import Image, ImageDraw, ImageFont
from werkzeug.datastructures import FileStorage

from app.activities.models import Activity
from app.auth.models import User
from app.evidence.services import attach


def demo_photo(seed: int, stamp: str = "") -> bytes:
    """A JPEG that reads as a meeting photo at thumbnail size: a red banner, a screen, a table and
    rows of people (or, outdoors, a flag over a group standing on a square); ``stamp`` is printed
    in the corner as a camera would. Drawn on an 800 × 600 grid, stored at 640 × 480."""
    rng = random.Random(seed)
    k = 0.8

    def box(*xy: float) -> tuple[int, ...]:
        return tuple(round(v * k) for v in xy)

    outdoors = rng.random() < 0.3
    image = Image.new("RGB", box(800, 600), (150, 195, 235) if outdoors else (236, 230, 218))
    draw = ImageDraw.Draw(image)
    if outdoors:
        draw.rectangle(box(0, 380, 800, 600), fill=(120, 160, 90))
        draw.line(box(600, 60, 600, 380), fill=(90, 90, 90), width=5)
        draw.rectangle(box(600, 60, 740, 150), fill=(200, 20, 30))
        draw.rectangle(box(612, 72, 640, 100), fill=(250, 210, 60))
    else:
        draw.rectangle(box(0, 400, 800, 600), fill=(150, 110, 80))
        draw.rectangle(box(60, 30, 740, 100), fill=(190, 22, 29))
        blocks = rng.randint(10, 14)
        for n in range(blocks):
            x = 400 - (blocks * 42 - 14) / 2 + 42 * n
            draw.rectangle(box(x, 50, x + 28, 80), fill=(250, 222, 130))
        draw.rectangle(box(250, 130, 550, 300), fill=(30, 55, 100))
        draw.rectangle(box(265, 145, 535, 285), fill=(rng.randint(200, 240), 235, 245))
        draw.rectangle(box(265, 145, 535, 180), fill=(180, 30, 35))
        for line in range(rng.randint(2, 4)):
            draw.rectangle(
                box(290, 200 + 22 * line, 290 + rng.randint(120, 220), 210 + 22 * line),
                fill=(90, 90, 110),
            )
        draw.rectangle(box(40, 420, 760, 460), fill=(110, 66, 38))
    clothes = [(40, 45, 60), (30, 30, 35), (70, 80, 100), (245, 245, 245), (110, 40, 40)]
    for row, (y, size) in enumerate(((350, 26), (470, 34))):
        x = rng.randint(20, 60)
        while x < 760:
            body = (x - size, y, x + size, y + int(size * 2.6))
            draw.rounded_rectangle(box(*body), radius=round(size * k / 2), fill=rng.choice(clothes))
            facing = outdoors or row == 0
            head = box(x - size // 2, y - size - 4, x + size // 2, y - 4)
            draw.ellipse(head, fill=(235, 195, 160) if facing else (40, 35, 30))
            x += size * 2 + rng.randint(8, 30)
    if stamp:
        font = ImageFont.load_default(size=18)
        draw.text(box(570, 560), stamp, fill=(255, 150, 40), font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def attach_photos(
    activity: Activity,
    count: int,
    by: User,
    rng: random.Random,
    uploaded: Callable[[], datetime],
) -> int:
    """``count`` photos taken during the activity, stamped with their local time, uploaded by
    ``by``, each at the moment ``uploaded()`` gives."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    local_start = activity.starts_at.astimezone(zone)
    for n in range(count):
        taken = local_start + timedelta(minutes=rng.randint(5, 25) + 35 * n)
        upload = FileStorage(
            io.BytesIO(demo_photo(rng.randrange(1 << 30), taken.strftime("%Y-%m-%d %H:%M"))),
            filename=f"{activity.held_on:%Y%m%d}_现场照片{n + 1}.jpg",
            content_type="image/jpeg",
        )
        evidence = attach(upload, activity=activity, by=by)
        evidence.created_at = uploaded()
    return count

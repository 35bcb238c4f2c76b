"""The run-time settings of the shared core, with their defaults (DOMAIN.md)."""

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import StopValidation

from app import settings
from app.settings import SettingDef, register
from app.types import local_today

LATE_ENTRY_DAYS = register(
    SettingDef(
        "activity.late_entry_days",
        int,
        7,
        _l("Late entry after (days)"),
        _l("An activity entered this many days after it ended is flagged as a late entry."),
        minimum=0,
        maximum=365,
        group=_l("Activities"),
    )
)
CHECKIN_BEFORE = register(
    SettingDef(
        "checkin.minutes_before",
        int,
        30,
        _l("Check-in opens (minutes before the start)"),
        _l("Members may check in with the button from this many minutes before the start."),
        minimum=0,
        maximum=24 * 60,
        group=_l("Activities"),
    )
)
CHECKIN_AFTER = register(
    SettingDef(
        "checkin.minutes_after_end",
        int,
        0,
        _l("Check-in closes (minutes after the end)"),
        _l("Members may check in with the button until this many minutes after the end."),
        minimum=0,
        maximum=24 * 60,
        group=_l("Activities"),
    )
)
EARLIEST_RECORD = register(
    SettingDef(
        "records.earliest_date",
        date,
        date(2000, 1, 1),
        _l("Earliest date of a record (YYYY-MM-DD)"),
        _l(
            "The limit for entering history: sessions and logs dated before this day are "
            "refused, and so are sessions more than a year ahead."
        ),
        group=_l("Activities"),
    )
)


def one_year_after(day: date) -> date:
    """The same day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def record_date(_form: Form, field: Field) -> None:
    """A session's or a log's date: not before the earliest date of a record, nor more than a
    year ahead (a mistyped year, not a plan). The chain stops here: one message is enough."""
    if field.data is None:
        return
    earliest = settings.get(EARLIEST_RECORD.key)
    if field.data < earliest:
        raise StopValidation(
            _l(
                "Dates before %(date)s cannot be entered: the records begin on that day.",
                date=format_date(earliest, "long"),
            )
        )
    if field.data > one_year_after(local_today()):
        raise StopValidation(_l("The date cannot be more than a year ahead."))


QR_WINDOW = register(
    SettingDef(
        "checkin.qr_minutes",
        int,
        2,
        _l("QR code accepted for (minutes after it left the screen)"),
        _l(
            "A check-in code is accepted this many minutes after the screen stopped showing it. "
            "Keep it short: a photo of the screen sent to someone absent works as long."
        ),
        minimum=1,
        maximum=10,
        group=_l("Activities"),
    )
)

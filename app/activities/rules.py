"""The run-time settings of the shared core, with their defaults (DOMAIN.md)."""

from flask_babel import lazy_gettext as _l

from app.settings import SettingDef, register

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

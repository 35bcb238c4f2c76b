"""The run-time settings behind the figures, with their defaults (DOMAIN.md)."""

from flask_babel import lazy_gettext as _l

from app.settings import SettingDef, register

TARGET_MEMBER = register(
    SettingDef(
        "hours.target_member",
        float,
        32.0,
        _l("Annual study-hour target for members"),
        minimum=0,
        maximum=500,
        group=_l("Study hours"),
    )
)
TARGET_COMMITTEE = register(
    SettingDef(
        "hours.target_committee",
        float,
        56.0,
        _l("Annual study-hour target for committee posts"),
        _l("Secretary, deputy secretary and committee members."),
        minimum=0,
        maximum=500,
        group=_l("Study hours"),
    )
)
INACTIVE_DAYS = register(
    SettingDef(
        "members.inactive_days",
        int,
        90,
        _l("Inactivity warning (days)"),
        _l(
            "Party members expected at sessions in this many days but present at none are "
            "listed on the dashboard."
        ),
        minimum=30,
        maximum=180,
        group=_l("Members"),
    )
)
DUE_SOON = register(
    SettingDef(
        "deadlines.due_soon_days",
        int,
        14,
        _l("Due soon (days)"),
        _l(
            "Something to be done within this many days is shown as due soon: a pre-holiday "
            "reminder, a deadline of any record."
        ),
        minimum=1,
        maximum=90,
        group=_l("Deadlines"),
    )
)

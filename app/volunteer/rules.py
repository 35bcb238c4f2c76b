"""The run-time setting of practical things for the masses."""

from flask_babel import lazy_gettext as _l

from app.settings import SettingDef, register

DUE_SOON = register(
    SettingDef(
        "volunteer.due_soon_days",
        int,
        30,
        _l("Projects due soon (days)"),
        _l("A project planned to be completed within this many days is shown as due soon."),
        minimum=1,
        maximum=180,
        group=_l("Deadlines"),
    )
)

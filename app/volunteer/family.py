"""What practical things for the masses register on the core: the projects' list in the
navigation and their line on the dashboards, after integrity's; members' own pledges as a
source of the review queue."""

from flask_babel import lazy_gettext as _l

from app.activities.families import register_list, register_panel

register_list(30, "volunteer.index", _l("Practical things"))
register_panel(30, "volunteer/_dashboard.html")

from app.volunteer import review as _review  # noqa: E402, F401 - members' pledges in the queue

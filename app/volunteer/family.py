"""What practical things for the masses register on the core: the projects' list in the
navigation and their line on the dashboards, after integrity's; members' own pledges as a
source of the review queue; service days, an activity family."""

from flask_babel import lazy_gettext as _l

from app.activities.families import register_list, register_panel

register_list(30, "volunteer.index", _l("Practical things"))
register_panel(30, "volunteer/_dashboard.html")

from app.volunteer import figures as _figures  # noqa: E402, F401 - service days' figures
from app.volunteer import review as _review  # noqa: E402, F401 - members' pledges in the queue
from app.volunteer import service_family as _service  # noqa: E402, F401 - service days

"""What responsibility lists register on the core: their list in the navigation, after the
practical things for the masses."""

from flask_babel import lazy_gettext as _l

from app.activities.families import register_list

register_list(40, "duties.index", _l("Responsibility"))

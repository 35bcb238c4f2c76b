"""The core's routes at /activities/<id>/… for every record family, on one blueprint."""

from app.activities.views import grid, members, record  # noqa: F401 - they add their routes
from app.activities.views.blueprint import bp

__all__ = ["bp"]

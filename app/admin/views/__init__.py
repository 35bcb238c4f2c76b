"""The admin pages (admin only): one module per sub-area, all on the blueprint ``admin``."""

from app.admin.views import accounts, memberships, settings, units
from app.admin.views.blueprint import bp

__all__ = ["accounts", "bp", "memberships", "settings", "units"]

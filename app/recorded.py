"""What every tracked record keeps of its own history: who recorded it and when, and when it was
removed — marked, never deleted, so its audit trail and evidence stay."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.types import UTCDateTime, utcnow


class Recorded:
    """Who recorded a record and when, and when it was removed (marked, never deleted)."""

    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Created by")}
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Created at")}
    )
    deleted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Deleted at")}
    )

"""Machine state of the figures: the bureau-wide figures kept between requests
(``app.reports.kept``). Neither is an audited record."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.types import UTCDateTime


class FigureGeneration(db.Model):
    """One row: how many transactions have changed records since the database was made. A
    kept figure is valid only under the generation it was computed at."""

    __tablename__ = "figure_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(sa.BigInteger)


class KeptFigure(db.Model):
    """A figure computed once for every admin: its key (what and for which parameters), the
    generation it was computed at, the instant after which time alone changes it, and the
    figure as plain JSON (ids and numbers, no wording, no language)."""

    __tablename__ = "kept_figure"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    generation: Mapped[int] = mapped_column(sa.BigInteger)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[Any] = mapped_column(sa.JSON)

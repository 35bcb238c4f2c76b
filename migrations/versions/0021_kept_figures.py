"""kept_figure and figure_generation: the bureau's figures kept between requests, valid under
the generation of records they were computed at (app.reports.kept)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 01:50:00.000000

"""

from alembic import op
import sqlalchemy as sa

from app.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "figure_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_generation")),
    )
    op.create_table(
        "kept_figure",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", UTCDateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kept_figure")),
    )


def downgrade():
    op.drop_table("kept_figure")
    op.drop_table("figure_generation")

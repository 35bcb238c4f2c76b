"""index of activities by day in the order of their starts, replacing the one of held_on alone

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 20:55:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_activity_held_on_starts_at", "activity", ["held_on", "starts_at", "id"], unique=False
    )
    # Its leading column serves every lookup the single-column index served.
    op.drop_index("ix_activity_held_on", table_name="activity")


def downgrade():
    op.create_index("ix_activity_held_on", "activity", ["held_on"], unique=False)
    op.drop_index("ix_activity_held_on_starts_at", table_name="activity")

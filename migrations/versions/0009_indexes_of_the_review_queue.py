"""partial indexes of the rows waiting in the review queue; activities by unit and state

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Columns and predicate of each, as app/activities/models.py has them: a partial index serves only
# a query that repeats its predicate (the review sources write it from the same functions).
WAITING = {
    "ix_participation_check_in_waits": (
        ["activity_id", "confirmed", "status", "person_id"],
        {
            "sqlite": "status != 'unmarked' AND confirmed = 0",
            "postgresql": "status != 'unmarked' AND NOT confirmed",
        },
    ),
    "ix_participation_leave_waits": (
        ["activity_id", "leave_state", "person_id"],
        "leave_state = 'requested'",
    ),
    "ix_participation_make_up_waits": (
        ["activity_id", "make_up_state", "person_id"],
        "make_up_state = 'submitted'",
    ),
}


def _where(predicate):
    if isinstance(predicate, str):
        predicate = {"sqlite": predicate, "postgresql": predicate}
    return {f"{name}_where": sa.text(text) for name, text in predicate.items()}


def upgrade():
    for name, (columns, predicate) in WAITING.items():
        op.create_index(name, "participation", columns, unique=False, **_where(predicate))
    op.create_index("ix_activity_unit_id_state", "activity", ["unit_id", "state"], unique=False)


def downgrade():
    op.drop_index("ix_activity_unit_id_state", table_name="activity")
    for name in reversed(list(WAITING)):
        op.drop_index(name, table_name="participation")

"""partial indexes of the rows waiting in the review queue; activities by unit and state

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:20:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Each predicate as the review sources write it (app/activities/models.py): a partial index serves
# only a query that repeats its predicate.
WAITING = {
    "ix_participation_check_in_waits": {
        "sqlite": "status != 'unmarked' AND confirmed = 0",
        "postgresql": "status != 'unmarked' AND NOT confirmed",
    },
    "ix_participation_leave_waits": "leave_state = 'requested'",
    "ix_participation_make_up_waits": "make_up_state = 'submitted'",
}


def _where(predicate):
    if isinstance(predicate, str):
        predicate = {"sqlite": predicate, "postgresql": predicate}
    return {f"{name}_where": sa.text(text) for name, text in predicate.items()}


def upgrade():
    for name, predicate in WAITING.items():
        op.create_index(name, "participation", ["activity_id"], unique=False, **_where(predicate))
    op.create_index("ix_activity_unit_id_state", "activity", ["unit_id", "state"], unique=False)


def downgrade():
    op.drop_index("ix_activity_unit_id_state", table_name="activity")
    for name in reversed(list(WAITING)):
        op.drop_index(name, table_name="participation")

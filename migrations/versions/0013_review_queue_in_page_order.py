"""partial indexes of the review queue's waiting rows, and of logs by state, by since when they wait

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Columns and predicate of each, as app/activities/models.py has them: the predicates are those
# of 0009's indexes of the same rows, which the review sources repeat.
SINCE = {
    "ix_participation_check_in_since": (
        ["recorded_at", "id"],
        {
            "sqlite": "status != 'unmarked' AND confirmed = 0",
            "postgresql": "status != 'unmarked' AND NOT confirmed",
        },
    ),
    "ix_participation_leave_since": (
        ["leave_requested_at", "id"],
        "leave_state = 'requested'",
    ),
    "ix_participation_make_up_since": (
        ["make_up_submitted_at", "id"],
        "make_up_state = 'submitted'",
    ),
}


def _where(predicate):
    if isinstance(predicate, str):
        predicate = {"sqlite": predicate, "postgresql": predicate}
    return {f"{name}_where": sa.text(text) for name, text in predicate.items()}


def upgrade():
    for name, (columns, predicate) in SINCE.items():
        op.create_index(name, "participation", columns, unique=False, **_where(predicate))
    op.create_index(
        "ix_member_log_state_since", "member_log", ["state", "submitted_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_member_log_state_since", table_name="member_log")
    for name in reversed(list(SINCE)):
        op.drop_index(name, table_name="participation")

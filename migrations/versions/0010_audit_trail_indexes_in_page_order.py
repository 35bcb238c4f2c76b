"""the audit trail's filters each with an index in the page's order (newest first)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 15:00:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_record_type_at", ["record_type", "at", "id"], unique=False
        )
        batch_op.create_index("ix_audit_log_action_at", ["action", "at", "id"], unique=False)
        batch_op.create_index("ix_audit_log_actor_at", ["actor_id", "at", "id"], unique=False)
        # The actor's index leads with actor_id: it serves what the single-column one did.
        batch_op.drop_index("ix_audit_log_actor_id")


def downgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_actor_id", ["actor_id"], unique=False)
        batch_op.drop_index("ix_audit_log_actor_at")
        batch_op.drop_index("ix_audit_log_action_at")
        batch_op.drop_index("ix_audit_log_record_type_at")

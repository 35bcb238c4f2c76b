"""person search index: the name order with the columns a person search compares; one record's
audit trail in the order it happened; the current people of a department counted from an index

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 20:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = ["sort_key", "transferred_out_on", "name", "code", "department_id"]
AUDIT_RECORD = ["record_type", "record_id", "at", "id"]
DEPARTMENT = ["department_id", "transferred_out_on"]


def upgrade():
    # Leads with sort_key: it orders what ix_person_sort_key ordered, which it replaces.
    op.create_index("ix_person_search", "person", COLUMNS, unique=False)
    op.drop_index("ix_person_sort_key", table_name="person")
    # A record's trail oldest first: the planner walked ix_audit_log_record_type_at through
    # every row of the record's type for its order.
    op.drop_index("ix_audit_log_record", table_name="audit_log")
    op.create_index("ix_audit_log_record", "audit_log", AUDIT_RECORD, unique=False)
    op.drop_index("ix_person_department_id", table_name="person")
    op.create_index("ix_person_department_id", "person", DEPARTMENT, unique=False)


def downgrade():
    op.drop_index("ix_person_department_id", table_name="person")
    op.create_index("ix_person_department_id", "person", DEPARTMENT[:1], unique=False)
    op.drop_index("ix_audit_log_record", table_name="audit_log")
    op.create_index("ix_audit_log_record", "audit_log", AUDIT_RECORD[:2], unique=False)
    op.create_index("ix_person_sort_key", "person", ["sort_key"], unique=False)
    op.drop_index("ix_person_search", table_name="person")

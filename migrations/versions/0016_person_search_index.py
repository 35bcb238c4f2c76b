"""person search index: the name order with the columns a person search compares

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-02 20:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None

COLUMNS = ["sort_key", "transferred_out_on", "name", "code", "department_id"]


def upgrade():
    # Leads with sort_key: it orders what ix_person_sort_key ordered, which it replaces.
    op.create_index("ix_person_search", "person", COLUMNS, unique=False)
    op.drop_index("ix_person_sort_key", table_name="person")


def downgrade():
    op.create_index("ix_person_sort_key", "person", ["sort_key"], unique=False)
    op.drop_index("ix_person_search", table_name="person")

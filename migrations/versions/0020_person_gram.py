"""person_gram: the people search's index of one- and two-character pieces, kept by
app.people.search; the people of a department in name order; a unit's sessions by day

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 13:20:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "person_gram",
        sa.Column("gram", sa.String(length=2), nullable=False),
        sa.Column(
            "sort_key",
            sa.String(length=600).with_variant(sa.String(length=600, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_gram_person_id_person")
        ),
        sa.PrimaryKeyConstraint("gram", "sort_key", "person_id", name=op.f("pk_person_gram")),
    )
    with op.batch_alter_table("person_gram", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_gram_person_id"), ["person_id"], unique=False)
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_department_id")
        batch_op.create_index(
            "ix_person_department_id", ["department_id", "transferred_out_on", "sort_key"]
        )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index("ix_activity_unit_day", ["unit_id", "held_on"])
    # Filled from the people's rows by the code that keeps it from now on.
    from app.people.search import refresh_all

    refresh_all(op.get_bind())


def downgrade():
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_unit_day")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_department_id")
        batch_op.create_index("ix_person_department_id", ["department_id", "transferred_out_on"])
    with op.batch_alter_table("person_gram", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_gram_person_id"))

    op.drop_table("person_gram")

"""integrity_activity: family integrity forums, cautionary education, integrity lectures and
collective talks, an activity family on the shared core

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 02:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KINDS = ("family_forum", "cautionary", "lecture", "talk", "other")
FORMS = ("film", "base_visit", "case_study")


def upgrade():
    op.create_table(
        "integrity_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="integritykind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "cautionary_form",
            sa.Enum(*FORMS, name="cautionaryform", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("content", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"], ["activity.id"], name=op.f("fk_integrity_activity_id_activity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_activity")),
    )
    with op.batch_alter_table("integrity_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integrity_activity_kind"), ["kind"], unique=False)


def downgrade():
    with op.batch_alter_table("integrity_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_integrity_activity_kind"))
    op.drop_table("integrity_activity")

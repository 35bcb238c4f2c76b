"""integrity_talk: integrity talks with one person, their evidence (a fourth evidence owner),
and the kind of a collective talk

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 14:27:22.488378

"""

from alembic import op
import sqlalchemy as sa

import app.types
from app.evidence.constraint import CHECK_NAME, one_owner_sql


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

THREE_OWNERS = ["activity_id", "participation_id", "member_log_id"]
FOUR_OWNERS = [*THREE_OWNERS, "integrity_talk_id"]
TALK_KINDS = ("routine", "reminder", "special", "admonishment", "pre_appointment")


def upgrade():
    op.create_table(
        "integrity_talk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*TALK_KINDS, name="talkkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("held_at", app.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("talker_id", sa.Integer(), nullable=True),
        sa.Column("talker_name", sa.String(length=60), nullable=True),
        sa.Column("minute_taker_id", sa.Integer(), nullable=True),
        sa.Column("minute_taker_name", sa.String(length=60), nullable=True),
        sa.Column("gist", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", app.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["account.id"], name=op.f("fk_integrity_talk_created_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["minute_taker_id"],
            ["person.id"],
            name=op.f("fk_integrity_talk_minute_taker_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["person.id"], name=op.f("fk_integrity_talk_subject_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["talker_id"], ["person.id"], name=op.f("fk_integrity_talk_talker_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_integrity_talk_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_talk")),
    )
    with op.batch_alter_table("integrity_talk", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_integrity_talk_minute_taker_id"), ["minute_taker_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_integrity_talk_subject_id"), ["subject_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_integrity_talk_talker_id"), ["talker_id"], unique=False
        )
        batch_op.create_index("ix_integrity_talk_unit_held", ["unit_id", "held_on"], unique=False)

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("integrity_talk_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_evidence_integrity_talk_id"), ["integrity_talk_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_integrity_talk_id_integrity_talk"),
            "integrity_talk",
            ["integrity_talk_id"],
            ["id"],
        )
        # Exactly one owner, now among four kinds.
        batch_op.drop_constraint(op.f("ck_evidence_one_owner"), type_="check")
        batch_op.create_check_constraint(CHECK_NAME, one_owner_sql(FOUR_OWNERS))

    with op.batch_alter_table("integrity_activity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "talk_kind",
                sa.Enum(*TALK_KINDS, name="talkkind", native_enum=False, length=20),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("integrity_activity", schema=None) as batch_op:
        batch_op.drop_column("talk_kind")

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_evidence_one_owner"), type_="check")
        batch_op.create_check_constraint(CHECK_NAME, one_owner_sql(THREE_OWNERS))
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_integrity_talk_id_integrity_talk"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_evidence_integrity_talk_id"))
        batch_op.drop_column("integrity_talk_id")

    with op.batch_alter_table("integrity_talk", schema=None) as batch_op:
        batch_op.drop_index("ix_integrity_talk_unit_held")
        batch_op.drop_index(batch_op.f("ix_integrity_talk_talker_id"))
        batch_op.drop_index(batch_op.f("ix_integrity_talk_subject_id"))
        batch_op.drop_index(batch_op.f("ix_integrity_talk_minute_taker_id"))

    op.drop_table("integrity_talk")

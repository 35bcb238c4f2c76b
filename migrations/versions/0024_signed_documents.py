"""signing_batch, signed_document, pledge_expectation: the integrity pledges and letters signed,
the batches owning their scans (a fifth evidence owner), and who is expected to sign where the
list is kept by hand

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 14:56:51.032571

"""

from alembic import op
import sqlalchemy as sa

import app.types
from app.evidence.constraint import CHECK_NAME, one_owner_sql


# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

FOUR_OWNERS = ["activity_id", "participation_id", "member_log_id", "integrity_talk_id"]
FIVE_OWNERS = [*FOUR_OWNERS, "signing_batch_id"]
KINDS = ("integrity", "responsibility", "family", "holiday")
HOLIDAYS = (
    "new_year",
    "spring_festival",
    "qingming",
    "labour_day",
    "dragon_boat",
    "mid_autumn",
    "national_day",
)


def upgrade():
    op.create_table(
        "pledge_expectation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum(*KINDS, name="pledgekind", native_enum=False, length=20), nullable=False
        ),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("counterpart_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", app.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["counterpart_id"],
            ["person.id"],
            name=op.f("fk_pledge_expectation_counterpart_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_pledge_expectation_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_pledge_expectation_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_expectation")),
    )
    with op.batch_alter_table("pledge_expectation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pledge_expectation_unit_year", ["unit_id", "year", "kind"], unique=False
        )

    op.create_table(
        "signing_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum(*KINDS, name="pledgekind", native_enum=False, length=20), nullable=False
        ),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "holiday",
            sa.Enum(*HOLIDAYS, name="holiday", native_enum=False, length=30),
            nullable=True,
        ),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["account.id"], name=op.f("fk_signing_batch_created_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_signing_batch_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_batch")),
    )
    with op.batch_alter_table("signing_batch", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signing_batch_unit_year", ["unit_id", "year", "kind"], unique=False
        )

    op.create_table(
        "signed_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("counterpart_id", sa.Integer(), nullable=True),
        sa.Column("family_name", sa.String(length=60), nullable=True),
        sa.Column("family_relation", sa.String(length=30), nullable=True),
        sa.Column("deleted_at", app.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["signing_batch.id"],
            name=op.f("fk_signed_document_batch_id_signing_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["counterpart_id"], ["person.id"], name=op.f("fk_signed_document_counterpart_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_signed_document_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_document")),
    )
    with op.batch_alter_table("signed_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signed_document_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_signed_document_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signing_batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_evidence_signing_batch_id"), ["signing_batch_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_signing_batch_id_signing_batch"),
            "signing_batch",
            ["signing_batch_id"],
            ["id"],
        )
        # Exactly one owner, now among five kinds.
        batch_op.drop_constraint(op.f("ck_evidence_one_owner"), type_="check")
        batch_op.create_check_constraint(CHECK_NAME, one_owner_sql(FIVE_OWNERS))


def downgrade():
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_evidence_one_owner"), type_="check")
        batch_op.create_check_constraint(CHECK_NAME, one_owner_sql(FOUR_OWNERS))
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_signing_batch_id_signing_batch"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_evidence_signing_batch_id"))
        batch_op.drop_column("signing_batch_id")

    with op.batch_alter_table("signed_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signed_document_person_id"))
        batch_op.drop_index(batch_op.f("ix_signed_document_batch_id"))

    op.drop_table("signed_document")
    with op.batch_alter_table("signing_batch", schema=None) as batch_op:
        batch_op.drop_index("ix_signing_batch_unit_year")

    op.drop_table("signing_batch")
    with op.batch_alter_table("pledge_expectation", schema=None) as batch_op:
        batch_op.drop_index("ix_pledge_expectation_unit_year")

    op.drop_table("pledge_expectation")

"""holiday_reminder, reminder_recipient, holiday_correction: pre-holiday integrity reminders
(to all the unit's Party members or to the people named) and the admins' corrections of the
shipped holiday dates; integrity_activity.paper_present for activities entered from paper

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 15:14:24.762589

"""

from alembic import op
import sqlalchemy as sa

import app.types

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

HOLIDAYS = (
    "new_year",
    "spring_festival",
    "qingming",
    "labour_day",
    "dragon_boat",
    "mid_autumn",
    "national_day",
)
CHANNELS = ("meeting", "sms", "group_chat", "document")


def upgrade():
    op.create_table(
        "holiday_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "holiday",
            sa.Enum(*HOLIDAYS, name="holiday", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_correction")),
        sa.UniqueConstraint("holiday", "year", name=op.f("uq_holiday_correction_holiday_year")),
    )
    op.create_table(
        "holiday_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "holiday",
            sa.Enum(*HOLIDAYS, name="holiday", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(*CHANNELS, name="reminderchannel", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("everyone", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", app.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["account.id"],
            name=op.f("fk_holiday_reminder_created_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_holiday_reminder_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_reminder")),
    )
    with op.batch_alter_table("holiday_reminder", schema=None) as batch_op:
        batch_op.create_index("ix_holiday_reminder_unit_year", ["unit_id", "year"], unique=False)

    op.create_table(
        "reminder_recipient",
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_reminder_recipient_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["holiday_reminder.id"],
            name=op.f("fk_reminder_recipient_reminder_id_holiday_reminder"),
        ),
        sa.PrimaryKeyConstraint("reminder_id", "person_id", name=op.f("pk_reminder_recipient")),
    )
    with op.batch_alter_table("reminder_recipient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_recipient_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("integrity_activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paper_present", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("integrity_activity", schema=None) as batch_op:
        batch_op.drop_column("paper_present")

    with op.batch_alter_table("reminder_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_recipient_person_id"))

    op.drop_table("reminder_recipient")
    with op.batch_alter_table("holiday_reminder", schema=None) as batch_op:
        batch_op.drop_index("ix_holiday_reminder_unit_year")

    op.drop_table("holiday_reminder")
    op.drop_table("holiday_correction")

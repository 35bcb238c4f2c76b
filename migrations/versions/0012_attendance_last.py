"""attendance_last: each person's latest expected and present session per unit, kept by
app.activities.tally for the inactive-members warning

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_last',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('last_expected_on', sa.Date(), nullable=False),
    sa.Column('last_present_on', sa.Date(), nullable=True),
    sa.Column('last_present_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_attendance_last_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_attendance_last_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('person_id', 'unit_id', name=op.f('pk_attendance_last'))
    )
    with op.batch_alter_table('attendance_last', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_last_present_at', ['last_present_at'], unique=False)
        batch_op.create_index('ix_attendance_last_present_on', ['last_present_on', 'last_expected_on'], unique=False)
    # Filled from the participation rows by the same statement that keeps it from now on.
    from app.activities.tally import refresh_all_last

    refresh_all_last(op.get_bind())


def downgrade():
    with op.batch_alter_table('attendance_last', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_last_present_on')
        batch_op.drop_index('ix_attendance_last_present_at')

    op.drop_table('attendance_last')

"""activity_tally: the figures of every activity, kept by app.activities.tally

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:51:36.353431

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity_tally',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('starts_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.Enum('open', 'archived', 'cancelled', name='activitystate', native_enum=False, length=20), nullable=False),
    sa.Column('in_attendance', sa.Boolean(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('expected_full', sa.Integer(), nullable=False),
    sa.Column('expected_probationary', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('present_full', sa.Integer(), nullable=False),
    sa.Column('present_probationary', sa.Integer(), nullable=False),
    sa.Column('leave', sa.Integer(), nullable=False),
    sa.Column('absent', sa.Integer(), nullable=False),
    sa.Column('unmarked', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Integer(), nullable=False),
    sa.Column('make_ups', sa.Integer(), nullable=False),
    sa.Column('staff_expected', sa.Integer(), nullable=False),
    sa.Column('staff_present', sa.Integer(), nullable=False),
    sa.Column('non_voting', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_tally_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_activity_tally_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_activity_tally'))
    )
    with op.batch_alter_table('activity_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_tally_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_tally_unit_id'), ['unit_id'], unique=False)
    # Filled from the participation rows by the same statement that keeps it from now on.
    from app.activities.tally import refresh_all

    refresh_all(op.get_bind(), units=False)  # unit_tally comes with 0014



def downgrade():
    with op.batch_alter_table('activity_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_tally_unit_id'))
        batch_op.drop_index(batch_op.f('ix_activity_tally_held_on'))

    op.drop_table('activity_tally')

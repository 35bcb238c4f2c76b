"""counts from indexes alone: the day index of activities carries their state and family; the
people on the roll by status

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 06:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

DAY_ORDER = ['held_on', 'starts_at', 'id']


def upgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_held_on_starts_at')
        batch_op.create_index(
            'ix_activity_held_on_starts_at', [*DAY_ORDER, 'state', 'family'], unique=False
        )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(
            'ix_person_on_roll', ['party_status', 'transferred_out_on', 'department_id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_on_roll')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_held_on_starts_at')
        batch_op.create_index('ix_activity_held_on_starts_at', DAY_ORDER, unique=False)

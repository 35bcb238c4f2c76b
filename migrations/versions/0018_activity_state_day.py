"""activities in a state by day in the order of their starts, replacing the index of state alone

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 21:07:48.412149

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_state'))
        batch_op.create_index('ix_activity_state_day', ['state', 'held_on', 'starts_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_state_day')
        batch_op.create_index(batch_op.f('ix_activity_state'), ['state'], unique=False)

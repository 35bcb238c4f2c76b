"""absence reasons, make-ups handed in on paper

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('absence_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('make_up_on_paper', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('make_up_handed_in_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_column('make_up_handed_in_on')
        batch_op.drop_column('make_up_on_paper')
        batch_op.drop_column('absence_reason')

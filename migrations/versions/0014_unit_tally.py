"""unit_tally: activity_tally summed per unit (with the units below it) and year up to each
month, kept by app.activities.tally

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 20:03:27.760519

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unit_tally',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('activities', sa.Integer(), nullable=False),
    sa.Column('listed', sa.Integer(), nullable=False),
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
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_unit_tally_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('unit_id', 'year', 'month', name=op.f('pk_unit_tally'))
    )
    with op.batch_alter_table('unit_tally', schema=None) as batch_op:
        batch_op.create_index('ix_unit_tally_year_month', ['year', 'month'], unique=False)
    # Filled from activity_tally by the statement that rebuilds it from now on.
    from app.activities.tally import refresh_all_units

    refresh_all_units(op.get_bind())


def downgrade():
    with op.batch_alter_table('unit_tally', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_tally_year_month')
    op.drop_table('unit_tally')

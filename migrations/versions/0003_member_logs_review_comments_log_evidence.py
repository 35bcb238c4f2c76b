"""member logs, review comments, log evidence

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 05:04:22.664642

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TWO_OWNERS = (
    "(CASE WHEN activity_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN participation_id IS NULL THEN 0 ELSE 1 END) = 1"
)
THREE_OWNERS = (
    "(CASE WHEN activity_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN participation_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN member_log_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade():
    op.create_table('member_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('training', 'self_study', 'volunteer', 'other', name='logkind', native_enum=False, length=20), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('beneficiary', sa.String(length=200), nullable=True),
    sa.Column('state', sa.Enum('pending', 'approved', 'returned', 'withdrawn', name='logstate', native_enum=False, length=20), nullable=False),
    sa.Column('submitted_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.String(length=500), nullable=True),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('hours IS NULL OR hours >= 0', name=op.f('ck_member_log_hours_positive')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_member_log_person_id_person')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['account.id'], name=op.f('fk_member_log_reviewed_by_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_log'))
    )
    with op.batch_alter_table('member_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_log_done_on'), ['done_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_log_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_log_state'), ['state'], unique=False)

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_log_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_member_log_id'), ['member_log_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evidence_member_log_id_member_log'), 'member_log', ['member_log_id'], ['id'])
        # Exactly one owner, now among three kinds.
        batch_op.drop_constraint(op.f('ck_evidence_one_owner'), type_='check')
        batch_op.create_check_constraint('one_owner', THREE_OWNERS)

    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leave_comment', sa.String(length=500), nullable=True))
        # Decisions taken before this revision count as seen.
        batch_op.add_column(sa.Column('leave_decision_seen', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('check_in_comment', sa.String(length=500), nullable=True))



def downgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_column('check_in_comment')
        batch_op.drop_column('leave_decision_seen')
        batch_op.drop_column('leave_comment')

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_evidence_one_owner'), type_='check')
        batch_op.create_check_constraint('one_owner', TWO_OWNERS)
        batch_op.drop_constraint(batch_op.f('fk_evidence_member_log_id_member_log'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evidence_member_log_id'))
        batch_op.drop_column('member_log_id')

    with op.batch_alter_table('member_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_log_state'))
        batch_op.drop_index(batch_op.f('ix_member_log_person_id'))
        batch_op.drop_index(batch_op.f('ix_member_log_done_on'))

    op.drop_table('member_log')

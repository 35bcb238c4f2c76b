"""activities and study sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 04:16:07.748544

"""
from alembic import op
import sqlalchemy as sa

import app.types


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family', sa.Enum('study', name='activityfamily', native_enum=False, length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('state', sa.Enum('open', 'archived', 'cancelled', name='activitystate', native_enum=False, length=20), nullable=False),
    sa.Column('late_entry', sa.Boolean(), nullable=False),
    sa.Column('late_reason', sa.String(length=500), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=True),
    sa.Column('archived_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_activity_times_ordered')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['account.id'], name=op.f('fk_activity_archived_by_id_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['account.id'], name=op.f('fk_activity_created_by_id_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_activity_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_unit_id'), ['unit_id'], unique=False)

    op.create_table('activity_guest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('relation', sa.String(length=100), nullable=True),
    sa.Column('deleted_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_guest_activity_id_activity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_guest'))
    )
    with op.batch_alter_table('activity_guest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_guest_activity_id'), ['activity_id'], unique=False)

    op.create_table('participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('expected', 'non_voting', name='participantrole', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('unmarked', 'present', 'late', 'leave', 'absent', name='attendancestatus', native_enum=False, length=20), nullable=False),
    sa.Column('recorded_via', sa.Enum('secretary', 'button', 'qr', 'import', name='recordedvia', native_enum=False, length=20), nullable=True),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('leave_state', sa.Enum('requested', 'approved', 'refused', name='leavestate', native_enum=False, length=20), nullable=True),
    sa.Column('leave_reason', sa.String(length=500), nullable=True),
    sa.Column('leave_requested_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('leave_decided_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('leave_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('make_up_state', sa.Enum('submitted', 'confirmed', 'returned', name='makeupstate', native_enum=False, length=20), nullable=True),
    sa.Column('make_up_note', sa.Text(), nullable=True),
    sa.Column('make_up_submitted_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('make_up_comment', sa.String(length=500), nullable=True),
    sa.Column('make_up_reviewed_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('make_up_reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reflection', sa.Text(), nullable=True),
    sa.Column('reflection_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_participation_activity_id_activity')),
    sa.ForeignKeyConstraint(['leave_decided_by_id'], ['account.id'], name=op.f('fk_participation_leave_decided_by_id_account')),
    sa.ForeignKeyConstraint(['make_up_reviewed_by_id'], ['account.id'], name=op.f('fk_participation_make_up_reviewed_by_id_account')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_participation_person_id_person')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['account.id'], name=op.f('fk_participation_recorded_by_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation')),
    sa.UniqueConstraint('activity_id', 'person_id', name=op.f('uq_participation_activity_id_person_id'))
    )
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participation_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participation_person_id'), ['person_id'], unique=False)

    op.create_table('study_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('general_meeting', 'committee_meeting', 'group_meeting', 'party_lecture', 'themed_day', 'org_life_meeting', 'democratic_appraisal', 'heart_talk', 'democratic_life_meeting', 'centre_group', 'fixed_study_day', 'training', 'other', name='studykind', native_enum=False, length=30), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=True),
    sa.Column('chair_name', sa.String(length=60), nullable=True),
    sa.Column('minute_taker_id', sa.Integer(), nullable=True),
    sa.Column('minute_taker_name', sa.String(length=60), nullable=True),
    sa.Column('lecturer_id', sa.Integer(), nullable=True),
    sa.Column('lecturer_name', sa.String(length=60), nullable=True),
    sa.Column('topics', sa.Text(), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('resolutions', sa.Text(), nullable=True),
    sa.Column('study_hours', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.ForeignKeyConstraint(['chair_id'], ['person.id'], name=op.f('fk_study_session_chair_id_person')),
    sa.ForeignKeyConstraint(['id'], ['activity.id'], name=op.f('fk_study_session_id_activity')),
    sa.ForeignKeyConstraint(['lecturer_id'], ['person.id'], name=op.f('fk_study_session_lecturer_id_person')),
    sa.ForeignKeyConstraint(['minute_taker_id'], ['person.id'], name=op.f('fk_study_session_minute_taker_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_session'))
    )
    with op.batch_alter_table('study_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_session_kind'), ['kind'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('participation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('image', 'pdf', 'docx', 'xlsx', name='evidencekind', native_enum=False, length=10), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('thumbnail_name', sa.String(length=80), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', app.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(CASE WHEN activity_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN participation_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_evidence_one_owner')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_evidence_activity_id_activity')),
    sa.ForeignKeyConstraint(['participation_id'], ['participation.id'], name=op.f('fk_evidence_participation_id_participation')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['account.id'], name=op.f('fk_evidence_uploaded_by_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_stored_name'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_participation_id'), ['participation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_participation_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_activity_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('study_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_session_kind'))

    op.drop_table('study_session')
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participation_person_id'))
        batch_op.drop_index(batch_op.f('ix_participation_activity_id'))

    op.drop_table('participation')
    with op.batch_alter_table('activity_guest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_guest_activity_id'))

    op.drop_table('activity_guest')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_unit_id'))
        batch_op.drop_index(batch_op.f('ix_activity_state'))
        batch_op.drop_index(batch_op.f('ix_activity_starts_at'))
        batch_op.drop_index(batch_op.f('ix_activity_held_on'))

    op.drop_table('activity')

"""chair, minute-taker and lecturer on every activity; a guest's kind and the member they belong to

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PEOPLE = ('chair', 'minute_taker', 'lecturer')


def _columns():
    for role in PEOPLE:
        yield sa.Column(f'{role}_id', sa.Integer(), nullable=True)
        yield sa.Column(f'{role}_name', sa.String(length=60), nullable=True)


def _copy(source, target):
    """Every value of the six columns, from one table's row to the row with the same id."""
    assignments = ', '.join(
        f'{column} = (SELECT {source}.{column} FROM {source} WHERE {source}.id = {target}.id)'
        for role in PEOPLE
        for column in (f'{role}_id', f'{role}_name')
    )
    op.execute(
        f'UPDATE {target} SET {assignments} '
        f'WHERE id IN (SELECT id FROM {source})'
    )


def _move(source, target):
    with op.batch_alter_table(target, schema=None) as batch_op:
        for column in _columns():
            batch_op.add_column(column)
        for role in PEOPLE:
            batch_op.create_foreign_key(
                op.f(f'fk_{target}_{role}_id_person'), 'person', [f'{role}_id'], ['id']
            )
    _copy(source, target)
    with op.batch_alter_table(source, schema=None) as batch_op:
        for role in PEOPLE:
            batch_op.drop_constraint(op.f(f'fk_{source}_{role}_id_person'), type_='foreignkey')
            batch_op.drop_column(f'{role}_id')
            batch_op.drop_column(f'{role}_name')


def upgrade():
    _move('study_session', 'activity')
    with op.batch_alter_table('activity_guest', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.Enum('family', 'other', name='guestkind', native_enum=False,
                                      length=10),
                      server_default='other', nullable=False)
        )
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_activity_guest_person_id'), ['person_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_activity_guest_person_id_person'), 'person', ['person_id'], ['id']
        )
    # Existing guests are kind "other"; new rows get their kind from the application.
    with op.batch_alter_table('activity_guest', schema=None) as batch_op:
        batch_op.alter_column('kind', server_default=None)


def downgrade():
    with op.batch_alter_table('activity_guest', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activity_guest_person_id_person'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_activity_guest_person_id'))
        batch_op.drop_column('person_id')
        batch_op.drop_column('kind')
    _move('activity', 'study_session')

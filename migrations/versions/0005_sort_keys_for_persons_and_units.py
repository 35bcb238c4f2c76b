"""sort keys for persons and org units

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from app.people.sorting import SORT_KEY_TYPE, person_sort_key, unit_sort_key


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = (("person", person_sort_key), ("org_unit", unit_sort_key))


def upgrade():
    for table, _key in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('sort_key', SORT_KEY_TYPE, nullable=True))

    # Existing rows get the key the models compute on every write from now on.
    connection = op.get_bind()
    for table, key in TABLES:
        rows = sa.table(table, sa.column('id'), sa.column('name'), sa.column('code'),
                        sa.column('sort_key'))
        found = connection.execute(sa.select(rows.c.id, rows.c.name, rows.c.code)).all()
        if found:
            connection.execute(
                rows.update()
                .where(rows.c.id == sa.bindparam('record_id'))
                .values(sort_key=sa.bindparam('key')),
                [{'record_id': i, 'key': key(name, code)} for i, name, code in found],
            )

    for table, _key in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('sort_key', existing_type=SORT_KEY_TYPE, nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_sort_key'), ['sort_key'], unique=False)


def downgrade():
    for table, _key in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_sort_key'))
            batch_op.drop_column('sort_key')

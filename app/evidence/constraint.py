"""The exactly-one-owner CHECK of the evidence table, as SQL text.

Migrations import this module alone (it depends on nothing of the app), with the owner columns
of their own revision spelled out, so an old revision keeps producing the CHECK it created:

    with op.batch_alter_table("evidence") as batch_op:
        batch_op.add_column(sa.Column("volunteer_project_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f("ck_evidence_one_owner"), type_="check")
        batch_op.create_check_constraint(CHECK_NAME, one_owner_sql([..., "volunteer_project_id"]))
"""

import re
from collections.abc import Sequence

CHECK_NAME = "one_owner"


def one_owner_sql(columns: Sequence[str]) -> str:
    """``(CASE WHEN a IS NULL THEN 0 ELSE 1 END) + … = 1`` over the owner columns, in order."""
    if not columns:
        raise ValueError("evidence needs at least one owner column")
    count = " + ".join(f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)" for column in columns)
    return f"{count} = 1"


def normalised(sql: str) -> str:
    """CHECK text as databases give it back, comparable with ``one_owner_sql``: lower case,
    without quoting, outer or redundant brackets and whitespace differences (PostgreSQL answers
    ``(CASE WHEN (activity_id IS NULL) THEN 0 ELSE 1 END) + …``)."""
    text = re.sub(r'["`\[\]]', "", sql).lower()
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "").replace(")", "")

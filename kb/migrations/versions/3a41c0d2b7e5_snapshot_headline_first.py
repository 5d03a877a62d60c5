"""snapshot headline before data

SQLite keeps a row's columns in order and reads through every one before the column it
wants: with `headline` after the large `data`, lists and trends read all of each
snapshot. PostgreSQL keeps large values apart (TOAST), so only SQLite is rebuilt.

Revision ID: 3a41c0d2b7e5
Revises: 27fb0a00b0fa
Create Date: 2026-11-30 04:05:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '3a41c0d2b7e5'
down_revision: Union[str, Sequence[str], None] = '27fb0a00b0fa'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ORDER = ("id", "assessment_id", "label", "automatic", "taken_at", "taken_by")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "snapshot",
            recreate="always",
            partial_reordering=[ORDER + ("headline", "data")],
        ):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "snapshot",
            recreate="always",
            partial_reordering=[ORDER + ("data", "headline")],
        ):
            pass

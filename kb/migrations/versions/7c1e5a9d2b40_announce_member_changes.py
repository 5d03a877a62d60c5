"""announce changes to users, memberships and organisations (PostgreSQL)

Revision ID: 7c1e5a9d2b40
Revises: ea6b23646764
Create Date: 2026-11-30 13:15:00

The triggers of kb/models/accounts.py as they were at this revision: a database made
since gets them when its tables are made.
"""

from typing import Sequence, Union

from alembic import op

revision: str = "7c1e5a9d2b40"
down_revision: Union[str, Sequence[str], None] = "ea6b23646764"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("organisation", "user", "membership")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION kb_announce_members() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "PERFORM pg_notify('kb_members', ''); RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(
            "CREATE TRIGGER kb_announce_members "
            f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION kb_announce_members()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER kb_announce_members ON "{table}"')
    op.execute("DROP FUNCTION kb_announce_members()")

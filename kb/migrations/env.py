"""Alembic environment: the app's engine and SQLModel metadata.

`kb upgrade` passes its connection in `config.attributes["connection"]`; the plain
`alembic` command builds the app from the usual settings (KB_DATABASE_URL ...).
"""

from alembic import context
from sqlmodel import SQLModel

import kb.models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from kb import create_app
    from kb.db import get_engine

    with create_app().app_context(), get_engine().connect() as connection:
        run(connection)

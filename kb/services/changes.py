"""Field-by-field changes of a row for the append-only histories, and saving a row only
if nobody saved it in between."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from kb import revisions
from kb.errors import StaleEdit
from kb.models import utcnow


def apply_changes(
    row: Any, values: dict[str, Any], display: Callable[[str, Any], str], new: bool
) -> dict[str, tuple[str, str]]:
    """Set each value that differs on `row`; return {field: (old, new)} as they read.

    A new row has no old values: its history starts from blanks, and a value equal to
    the model's default is not a change.
    """
    changed = {}
    for name, value in values.items():
        old = getattr(row, name)
        if old == value:
            continue
        setattr(row, name, value)
        changed[name] = ("" if new else display(name, old), display(name, value))
    return changed


def record_changes(
    session: Session, change_model: type, changed: dict[str, tuple[str, str]], **row
) -> None:
    """Append one history row of `change_model` per changed field; `row` gives the
    columns every one of them shares (whose row, who, why)."""
    for name, (old, new) in changed.items():
        session.add(change_model(field=name, old=old, new=new, **row))
    session.flush()


def save_versioned(
    session: Session, row: Any, seen: int, user_id: int, stored: Callable[[], Any]
) -> None:
    """Write `row` as version `seen` + 1 if the database still holds version `seen`.

    The check and the write are one statement (an UPDATE that matches only the version
    seen, or the INSERT of a new row), so of two people saving at once exactly one
    succeeds. The other gets StaleEdit with `stored()`, what is saved now; the session
    is rolled back first, so nothing of that transaction is written.
    """
    row.version = seen + 1
    row.updated_at = utcnow()
    row.updated_by = user_id
    try:
        if row.id is None:
            session.add(row)
            session.flush()
        else:
            _claim_and_write(session, row, seen)
    except (IntegrityError, _Lost):
        session.rollback()
        raise StaleEdit(stored()) from None


def _claim_and_write(session: Session, row: Any, seen: int) -> None:
    """One UPDATE that writes the row's changed columns where the version is still
    `seen`; the row then counts as saved, so no later flush writes it again."""
    state = inspect(row)
    changed = {
        key: getattr(row, key)
        for key in state.mapper.column_attrs.keys()
        if state.attrs[key].history.has_changes()
    }
    model = type(row)
    with session.no_autoflush:  # a flush would write the row without the check
        claimed = session.execute(
            update(model)
            .where(model.id == row.id, model.version == seen)
            .values(changed)
            .execution_options(synchronize_session=False)
        ).rowcount
    if claimed != 1:
        raise _Lost
    for key, value in changed.items():
        set_committed_value(row, key, value)
    revisions.changed(session, row)


class _Lost(Exception):
    """Another save claimed the version first."""


def save_state(
    session: Session,
    model: type,
    owner: dict[str, int],
    requirement_id: str,
    data: Any,
    user_id: int,
) -> tuple[Any, dict[str, tuple[str, str]]]:
    """Record how a zone or component (`owner`, e.g. {"zone_id": 3}) meets one
    requirement, if `data.version` is the stored version; return the row and what
    changed. `data` is a StateInput.

    Raises StaleEdit (nothing written) when someone saved it in between.
    """

    def stored():
        return session.exec(
            select(model).filter_by(**owner, requirement_id=requirement_id)
        ).first()

    row = stored()
    if data.version != (row.version if row else 0):
        raise StaleEdit(row)
    new = row is None
    if new:
        row = model(**owner, requirement_id=requirement_id, state="", version=0)
    values = {
        "state": data.state,
        "reason": (data.reason or "") if data.state == "not applicable" else "",
        "notes": data.notes or "",
    }
    changed = apply_changes(row, values, lambda _name, value: value, new=new)
    if changed:
        save_versioned(session, row, data.version, user_id, stored)
    return row, changed

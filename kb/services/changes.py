"""Field-by-field changes of a row, for the append-only histories (scores, evidence)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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

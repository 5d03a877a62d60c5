"""One row of a register as a file gives it, read cell by cell by its column's kind,
held to the register form's own rules: shared by our workbook and by tables from other
tools. Every fault is collected as `Sheet!Cell: what is wrong; what is allowed`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from importers.columns import EDITABLE, Column
from kb.errors import Problem
from kb.schemas import ScoreUpdate

EXPORT_AGAIN = "export the assessment's workbook again and fill that in"


@dataclass(slots=True)
class FileRow:
    """One Register row as the file has it; its values in the order of EDITABLE."""

    requirement_id: str
    version: int
    values: tuple
    row: int  # its row number in the sheet, for messages

    def value(self, name: str) -> Any:
        return self.values[EDITABLE.index(name)]


class RowParser:
    """Reads rows whose cells sit in `columns` (column index -> Column). `resolve`
    turns the requirement cell into an id of the assessment (None: not one of them);
    `numbers` collects each requirement's row, and `problems` every fault. With
    `stored` (a table from another tool), a field the file does not give, and the row
    version, are the stored ones: the file changes only what it says."""

    def __init__(
        self,
        sheet: str,
        columns: dict[int, Column],
        resolve: Callable[[str], str | None],
        ids_hint: str,
        numbers: dict[str, int],
        problems: list[Problem],
        stored: Mapping[str, Any] | None = None,
    ) -> None:
        self.stored = stored
        self.sheet = sheet
        self.columns = columns
        self.resolve = resolve
        self.ids_hint = ids_hint
        self.numbers = numbers
        self.problems = problems

    def parse(self, number: int, row) -> FileRow | None:
        """The row's values, or None for a blank row or one with faults."""
        # Read-only rows start at column A; their empty cells know no position.
        cells = {
            self.columns[index]: (index, cell)
            for index, cell in enumerate(row, start=1)
            if index in self.columns
        }
        if all(cell.value in (None, "") for _index, cell in cells.values()):
            return None
        values, problems = {}, []
        for column, (index, cell) in cells.items():
            where = f"{self.sheet}!{get_column_letter(index)}{number}"
            try:
                values[column.field] = read_cell(column, cell)
            except ValueError as error:
                problems.append(Problem(where, str(error)))
        written = values.get("requirement_id")
        requirement = self.resolve(written) if written else None
        id_cell = next(
            (i for i, c in self.columns.items() if c.field == "requirement_id"), 1
        )
        first = f"{self.sheet}!{get_column_letter(id_cell)}{number}"
        if requirement is None:
            problems.append(
                Problem(
                    first,
                    f"{written!r} is not a requirement of this assessment; "
                    + self.ids_hint,
                )
            )
        elif requirement in self.numbers:
            problems.append(
                Problem(
                    first,
                    f"{requirement} appears twice (also in row "
                    f"{self.numbers[requirement]}); keep one row per requirement",
                )
            )
        values["requirement_id"] = requirement
        kept = self.stored.get(requirement) if self.stored and requirement else None
        if kept is not None:
            values = dict(zip(EDITABLE, kept.values, strict=True)) | values
            values["version"] = kept.version
        values["version"] = values.get("version") or 0
        if not problems:
            problems = self._validate(values, cells, number)
        if problems:
            self.problems.extend(problems)
            return None
        self.numbers[requirement] = number
        return FileRow(
            requirement,
            values["version"],
            tuple(values[name] for name in EDITABLE),
            number,
        )

    def _validate(self, values: dict, cells: dict, number: int) -> list[Problem]:
        """Hold the row to the same rules as the register's form (lengths, a reason
        when a requirement does not apply)."""
        score = {k: v for k, v in values.items() if k in ScoreUpdate.model_fields}
        try:
            ScoreUpdate.model_validate(score)
        except ValidationError as error:
            letters = {c.field: get_column_letter(i) for c, (i, _cell) in cells.items()}
            return [
                Problem(
                    f"{self.sheet}!{letters.get(str(e['loc'][0]), 'A')}{number}",
                    e["msg"].removeprefix("Value error, "),
                )
                for e in error.errors()
            ]
        return []


DATE_FORMATS = (
    "%Y-%m-%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%Y/%m/%d",
)


def read_cell(column: Column, cell) -> Any:
    """A cell's value as the column holds it; raises ValueError saying what is allowed."""
    value = cell.value
    if cell.data_type == "f":
        raise ValueError("a formula; type the value itself")
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        return _blank(column)
    kind = column.kind
    if kind in ("text", "url"):
        return str(value) if not isinstance(value, float) else f"{value:g}"
    if kind == "yesno":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("yes", "no"):
            return str(value).lower() == "yes"
        raise ValueError(f"{value!r} is not Yes or No; choose Yes or No")
    if kind in ("level", "version"):
        number = whole_number(value)
        if kind == "level" and (number is None or not 0 <= number <= 4):
            raise ValueError(
                f"{value!r} is not a maturity level; use a whole number from 0 to 4"
            )
        if kind == "version" and (number is None or number < 0):
            raise ValueError(f"the hidden row version was changed; {EXPORT_AGAIN}")
        return number
    if kind == "date":
        return read_date(value)
    if kind == "choice":
        for choice in column.choices:
            if str(value).lower() == choice:
                return choice
        raise ValueError(
            f"{value!r} is not allowed; choose one of {', '.join(column.choices)}"
        )
    if kind == "ids":
        parts = re.split(
            r"[,;\s]+",
            str(value if not isinstance(value, float) else whole_number(value)),
        )
        if not all(p.isdigit() for p in parts if p):
            raise ValueError(
                f"{value!r} is not a list of evidence ids; write ids such as 12, 15"
            )
        return sorted({int(p) for p in parts if p})
    raise ValueError(f"unknown column kind {kind}")


def _blank(column: Column) -> Any:
    if column.kind == "yesno":
        return True
    if column.kind == "ids":
        return []
    if column.kind in ("level", "date", "version"):
        return None
    return ""


def whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def read_date(value: Any) -> date:
    """A date cell, or text that names one date only; raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
    raise ValueError(
        f"{value!r} is not a date that reads one way only; type a date such as "
        "2026-03-31 or 31 March 2026"
    )

"""A register exported from another tool: a CSV file, or the first sheet of an .xlsx.
It is read as a plain table; the person says which column is which (we guess from the
headers first); then its rows are read as register rows by the same rules as our own
workbook. Fields the table does not give keep what is stored."""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO, StringIO
from typing import Any

from openpyxl import load_workbook

from importers.columns import EDITABLE, REGISTER_BY_FIELD, Column
from importers.reader import MAX_ROWS, check_file
from importers.rows import FileRow, RowParser
from kb.errors import InvalidInput, Problem

# The fields a table may give, the requirement first; the words other tools use for
# each in their headers (compared without case, spaces or punctuation).
MAPPABLE: tuple[Column, ...] = tuple(
    REGISTER_BY_FIELD[name]
    for name in ("requirement_id", *EDITABLE)
    if name != "evidence"
)
ALIASES = {
    "requirement_id": (
        "requirement",
        "requirement id",
        "id",
        "control",
        "control id",
        "ref",
        "reference",
        "clause",
    ),
    "applicable": ("applies", "applicable", "in scope"),
    "na_reason": ("why not applicable", "justification", "exclusion reason"),
    "current": (
        "current level",
        "current",
        "maturity",
        "current maturity",
        "score",
        "level",
    ),
    "target": ("target level", "target", "target maturity", "goal"),
    "owner": ("owner", "responsible", "assignee", "accountable"),
    "due": ("due", "due date", "deadline", "target date"),
    "status": ("status", "state", "progress"),
    "notes": ("notes", "comments", "comment", "remarks", "observations"),
}


@dataclass
class Table:
    name: str  # the file's name: the "sheet" of every message
    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True, slots=True)
class Cell:
    """A table's value as the row parser reads cells."""

    value: Any
    data_type: str = "s"


def normal(text: Any) -> str:
    """Text compared without case, spaces or punctuation (ids, titles, headers)."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def read_table(data: bytes, filename: str) -> Table:
    """The table in a CSV file or in the first sheet of a workbook.

    Raises InvalidInput when it is neither, is empty, or has too many rows.
    """
    name = filename.rsplit("/", 1)[-1] or "table"
    if zipfile.is_zipfile(BytesIO(data)):
        rows = _xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        check_file(data)  # says what an .xls is
        rows = []
    else:
        rows = _csv_rows(data)
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        raise InvalidInput(
            [Problem("file", "the table is empty; it needs a header row")]
        )
    if len(rows) > MAX_ROWS + 1:
        raise InvalidInput(
            [
                Problem(
                    "file",
                    f"the table has {len(rows) - 1:,} rows; at most "
                    f"{MAX_ROWS:,} are allowed",
                )
            ]
        )
    headers = [str(h).strip() if h not in (None, "") else "" for h in rows[0]]
    return Table(name, headers, [list(r) for r in rows[1:]])


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 reads any bytes
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in text:
        raise InvalidInput(
            [Problem("file", "this is neither a CSV file nor an .xlsx workbook")]
        )
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(StringIO(text), dialect))


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    check_file(data)
    book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_plain(v) for v in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def _plain(value: Any) -> Any:
    """A cell's value as JSON keeps it (a date as 2026-03-31)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def guess(
    headers: list[str], aliases: Mapping[str, tuple[str, ...]] = ALIASES
) -> dict[str, int]:
    """For each field, the column whose header names it (its first alias found)."""
    found: dict[str, int] = {}
    names = [normal(h) for h in headers]
    for field, words in aliases.items():
        for word in words:
            if (
                normal(word) in names
                and names.index(normal(word)) not in found.values()
            ):
                found[field] = names.index(normal(word))
                break
    return found


def check_mapping(
    table: Table,
    mapping: Mapping[str, int],
    required: Mapping[str, str],
    labels: Mapping[str, str],
) -> None:
    """Raise InvalidInput unless each `required` field (with the message that asks
    for it) has a column, every choice is one of the table's columns, and no column
    serves two fields (named by `labels`)."""
    problems = [
        Problem(field, message)
        for field, message in required.items()
        if field not in mapping
    ]
    bad = [f for f, i in mapping.items() if not 0 <= i < len(table.headers)]
    problems += [Problem(f, "choose one of the table's columns") for f in bad]
    used: dict[int, str] = {}
    for field, index in mapping.items():
        if index in used:
            problems.append(
                Problem(
                    field,
                    f"the column is already used for {used[index]}; a column "
                    "serves one field",
                )
            )
        used[index] = labels[field]
    if problems:
        raise InvalidInput(problems)


def check_register_mapping(table: Table, mapping: Mapping[str, int]) -> None:
    """A register table needs its requirement ids and at least one more field."""
    more = (
        {}
        if len(mapping) >= 2
        else {"form": "choose a column for at least one more field"}
    )
    check_mapping(
        table,
        mapping,
        {"requirement_id": "choose the column of requirement ids", **more},
        {c.field: c.header for c in MAPPABLE},
    )


def resolver(ids: Iterable[str]) -> Callable[[str], str | None]:
    """Find an assessment's requirement however a tool wrote its id (SP.09.02 BR,
    sp-09-02-br, SP 09.02 BR)."""
    index = {normal(i): i for i in ids}
    return lambda written: index.get(normal(written))


def table_rows(
    table: Table,
    mapping: Mapping[str, int],
    stored: Mapping[str, Any],
    problems: list[Problem],
) -> Iterator[FileRow]:
    """The table's rows as register rows; faults go to `problems`."""
    columns = {index + 1: REGISTER_BY_FIELD[field] for field, index in mapping.items()}
    parser = RowParser(
        table.name,
        columns,
        resolver(stored),
        "use the ids of the csms-kb catalogue, such as SP.09.02 BR",
        {},
        problems,
        stored,
    )
    for number, values in enumerate(table.rows, start=2):
        found = parser.parse(number, [Cell(v) for v in values])
        if found is not None:
            yield found

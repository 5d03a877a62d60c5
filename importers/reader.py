"""Read an assessment workbook back. The file is checked before anything parses it (a
zip, a workbook, its expanded size, no password, no XML entities), then every cell of
the Register is read, and every fault is collected as `Sheet!Cell: what is wrong;
what is allowed`. Raises InvalidInput with all of them; nothing is half-read."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from importers.columns import (
    ABOUT_ASSESSMENT_ID,
    ABOUT_FORMAT,
    ABOUT_ORGANISATION,
    FORMAT_VERSION,
    REGISTER,
    REGISTER_BY_HEADER,
    ZONE_HEADER,
    ZONE_VERSIONS,
    Column,
)
from importers.rows import EXPORT_AGAIN, FileRow, RowParser, whole_number
from kb.errors import InvalidInput, Problem
from kb.vocabulary import ZONE_STATES

MAX_EXPANDED_BYTES = 100 * 2**20  # what the workbook may unpack to
MAX_RATIO = 200  # how much one member of the zip may expand (a zip bomb goes far past)
MAX_ROWS = 20_000
OLE_MAGIC = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected .xlsx
)


class WorkbookReader:
    """Reads a workbook exported from one assessment. `rows()` yields each Register
    row as it is read, so that a caller can compare rows as they come instead of
    holding 10,000 of them, then reads the Zones sheet into `states`, and raises
    InvalidInput at the end when any cell was wrong (the caller then keeps nothing)."""

    def __init__(
        self,
        data: bytes,
        assessment_id: int,
        org_slug: str,
        in_scope: set[str],
        zones: set[int] = frozenset(),
        technical: set[str] = frozenset(),
    ) -> None:
        self.data = data
        self.assessment_id = assessment_id
        self.org_slug = org_slug
        self.in_scope = in_scope
        self.zones = zones  # the assessment's live zones and conduits
        self.technical = technical  # the SR and RE ids of 62443-3-3
        self.letters: dict[str, str] = {}  # each field's column
        self.numbers: dict[str, int] = {}  # each requirement's row
        self.states: list[FileState] = []

    def where(self, requirement_id: str, name: str) -> str:
        """The cell that holds the field `name` of a requirement's row."""
        return f"Register!{self.letters.get(name, 'A')}{self.numbers[requirement_id]}"

    def rows(self) -> Iterator[FileRow]:
        check_file(self.data)
        try:
            yield from self._rows()
        except DefusedXmlException:
            raise InvalidInput(
                [
                    Problem(
                        "file",
                        "the workbook's XML declares entities, which a spreadsheet "
                        "never needs; save it again from Excel or LibreOffice",
                    )
                ]
            ) from None

    def _rows(self) -> Iterator[FileRow]:
        book = _open(self.data)
        try:
            problems = _check_about(book, self.assessment_id, self.org_slug)
            if problems:
                raise InvalidInput(problems)
            if "Register" not in book.sheetnames:
                raise InvalidInput(
                    [Problem("Register", f"the sheet is missing; {EXPORT_AGAIN}")]
                )
            sheet = book["Register"]
            problems = _check_sheet_shape(self.data, sheet)
            if problems:
                raise InvalidInput(problems)
            problems = []
            yield from self._read_register(sheet, problems)
            if self.zones:
                self._read_zones(book, problems)
        finally:
            book.close()
        if problems:
            raise InvalidInput(problems)

    def _read_register(self, sheet, problems: list[Problem]) -> Iterator[FileRow]:
        rows = sheet.iter_rows()
        header = next(rows, ())
        columns: dict[int, Column] = {}
        for index, cell in enumerate(header, start=1):
            column = REGISTER_BY_HEADER.get(
                str(cell.value).strip() if cell.value else ""
            )
            if column is not None:
                columns[index] = column
        needed = [
            c
            for c in REGISTER
            if c.editable or c.field in ("requirement_id", "version")
        ]
        missing = [c.header for c in needed if c not in columns.values()]
        if missing:
            problems.extend(
                Problem(
                    "Register!1",
                    f"the column {name!r} is missing or renamed; the sheet needs the "
                    f"headers {', '.join(repr(c.header) for c in needed)}",
                )
                for name in missing
            )
            return
        self.letters = {c.field: get_column_letter(i) for i, c in columns.items()}
        parser = RowParser(
            "Register",
            columns,
            lambda value: value if value in self.in_scope else None,
            "keep the ids as exported",
            self.numbers,
            problems,
        )
        for number, row in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                problems.append(
                    Problem(
                        f"Register!A{number}", f"at most {MAX_ROWS:,} rows are allowed"
                    )
                )
                break
            found = parser.parse(number, row)
            if found is not None:
                yield found

    def _read_zones(self, book, problems: list[Problem]) -> None:
        """Each state the Zones sheet gives; a blank cell leaves the state as it is."""
        if "Zones" not in book.sheetnames:
            problems.append(Problem("Zones", f"the sheet is missing; {EXPORT_AGAIN}"))
            return
        versions = {}
        if ZONE_VERSIONS in book.sheetnames:
            for row in book[ZONE_VERSIONS].iter_rows(min_row=2, values_only=True):
                if len(row) >= 3 and row[0] and whole_number(row[1]) is not None:
                    versions[(whole_number(row[1]), str(row[0]))] = (
                        whole_number(row[2]) or 0
                    )
        rows = book["Zones"].iter_rows()
        columns: dict[int, int] = {}  # column index -> zone id
        for number, row in enumerate(rows, start=1):
            first = row[0].value if row else None
            if not columns:
                if first == "Requirement":
                    columns = self._zone_columns(row, number, problems)
                    if not columns:
                        return
                continue
            if first in (None, ""):
                continue
            requirement = str(first).strip()
            if requirement not in self.technical:
                problems.append(
                    Problem(
                        f"Zones!A{number}",
                        f"{requirement!r} is not an SR or RE of 62443-3-3; keep the "
                        "ids as exported",
                    )
                )
                continue
            for index, cell in enumerate(row, start=1):
                zone_id = columns.get(index)
                if zone_id is None or cell.value in (None, ""):
                    continue
                where = f"Zones!{get_column_letter(index)}{number}"
                if cell.data_type == "f":
                    problems.append(Problem(where, "a formula; type the value itself"))
                    continue
                state = str(cell.value).strip().lower()
                if state not in ZONE_STATES:
                    problems.append(
                        Problem(
                            where,
                            f"{cell.value!r} is not a state; choose one of "
                            + ", ".join(ZONE_STATES),
                        )
                    )
                    continue
                version = versions.get((zone_id, requirement), 0)
                self.states.append(
                    FileState(zone_id, requirement, state, version, where)
                )

    def _zone_columns(self, header, number: int, problems) -> dict[int, int]:
        columns = {}
        for index, cell in enumerate(header, start=1):
            found = ZONE_HEADER.search(str(cell.value or ""))
            if not found:
                continue
            zone_id = int(found.group(1))
            if zone_id not in self.zones:
                problems.append(
                    Problem(
                        f"Zones!{get_column_letter(index)}{number}",
                        f"zone {zone_id} is not a zone or conduit of this assessment; "
                        f"{EXPORT_AGAIN}",
                    )
                )
                continue
            columns[index] = zone_id
        return columns


@dataclass(slots=True)
class FileState:
    """A zone's state of one SR or RE as the Zones sheet has it."""

    zone_id: int
    requirement_id: str
    state: str
    version: int  # the version exported, from the hidden Zone versions sheet
    where: str


def _open(data: bytes):
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        cause = error
        while cause is not None:  # openpyxl wraps the XML parser's error in its own
            if isinstance(cause, DefusedXmlException):
                raise cause from None
            cause = cause.__cause__ or cause.__context__
        raise InvalidInput(
            [
                Problem(
                    "file",
                    f"this is not a workbook that can be read ({error}); upload the "
                    ".xlsx file that csms-kb exported",
                )
            ]
        ) from None


def check_file(data: bytes) -> None:
    """Refuse what is not an .xlsx workbook, before any parser sees it."""

    def refuse(message: str):
        raise InvalidInput([Problem("file", message)])

    if not data:
        refuse("the file is empty; upload the .xlsx file that csms-kb exported")
    if data.startswith(OLE_MAGIC):
        refuse(
            "this is an .xls file or a password-protected workbook; save it as .xlsx "
            "(Excel Workbook) without a password"
        )
    if not zipfile.is_zipfile(BytesIO(data)):
        refuse("this is not an .xlsx workbook (not a zip file); upload the .xlsx file")
    with zipfile.ZipFile(BytesIO(data)) as archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
            refuse("this is an OpenDocument spreadsheet (.ods); save it as .xlsx")
        if "xl/workbook.xml" not in names:
            refuse("this zip file is not an Excel workbook; upload the .xlsx file")
        if any(m.flag_bits & 0x1 for m in members):
            refuse("the workbook is protected by a password; save it without one")
        expanded = sum(m.file_size for m in members)
        if expanded > MAX_EXPANDED_BYTES:
            refuse(
                f"the workbook expands to {expanded // 2**20} MiB, more than the "
                f"{MAX_EXPANDED_BYTES // 2**20} MiB allowed"
            )
        if any(
            m.file_size > 2**20 and m.file_size > MAX_RATIO * max(m.compress_size, 1)
            for m in members
        ):
            refuse("the workbook is compressed far beyond any real spreadsheet")


def _check_about(book, assessment_id: int, org_slug: str) -> list[Problem]:
    if "About" not in book.sheetnames:
        return [Problem("About", f"the sheet is missing; {EXPORT_AGAIN}")]
    found: dict[str, tuple[Any, str]] = {}
    for number, row in enumerate(book["About"].iter_rows(min_col=1, max_col=2), 1):
        if len(row) == 2 and isinstance(row[0].value, str):
            found[row[0].value.strip()] = (row[1].value, f"B{number}")
    problems = []
    for label, expected in (
        (ABOUT_FORMAT, FORMAT_VERSION),
        (ABOUT_ASSESSMENT_ID, assessment_id),
        (ABOUT_ORGANISATION, org_slug),
    ):
        value, cell = found.get(label, (None, "A1"))
        if label not in found:
            problems.append(
                Problem(
                    f"About!{cell}", f"the row '{label}' is missing; {EXPORT_AGAIN}"
                )
            )
        elif str(value).strip() != str(expected):
            what = {
                ABOUT_FORMAT: f"the workbook's format is {value}, this server reads "
                f"format {FORMAT_VERSION}",
                ABOUT_ASSESSMENT_ID: f"this workbook was exported from assessment "
                f"{value}, not this one ({assessment_id})",
                ABOUT_ORGANISATION: f"this workbook belongs to the organisation "
                f"'{value}', not this one",
            }[label]
            problems.append(Problem(f"About!{cell}", f"{what}; {EXPORT_AGAIN}"))
    return problems


def _check_sheet_shape(data: bytes, sheet) -> list[Problem]:
    """What read-only mode cannot see for itself: merged cells and a claimed size."""
    problems = []
    if sheet.max_row and sheet.max_row > MAX_ROWS + 1:
        problems.append(
            Problem(
                "Register!A1",
                f"the sheet says it has {sheet.max_row:,} rows; at most {MAX_ROWS:,} "
                "are allowed",
            )
        )
    # Read-only sheets know where their XML is (a private name of openpyxl 3.1).
    merged = _first_merged_cell(data, sheet._worksheet_path.lstrip("/"))
    if merged:
        problems.append(
            Problem(
                f"Register!{merged}",
                "merged cells; unmerge them, so that each cell holds one value",
            )
        )
    return problems


MERGED = re.compile(rb'<mergeCell ref="([A-Z]+[0-9]+):')


def _first_merged_cell(data: bytes, path: str) -> str | None:
    """The first merged cell of a sheet, scanning its XML a piece at a time (a sheet
    of 10,000 rows unpacks to more XML than all the rows it holds)."""
    with zipfile.ZipFile(BytesIO(data)) as archive, archive.open(path) as stream:
        tail = b""
        while chunk := stream.read(2**20):
            found = MERGED.search(tail + chunk)
            if found:
                return found.group(1).decode()
            tail = chunk[-64:]
    return None

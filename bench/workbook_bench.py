"""Export and import of a 10,000-row register, each beside raw openpyxl doing the same
work on the same cells in the same run (write-only writing; read-only reading), with
the peak memory of each (tracemalloc)."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from types import SimpleNamespace

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

ROWS = 10_000
ROUNDS = 3


@dataclass
class Measured:
    seconds: float
    peak_mib: float


def measure(work) -> tuple[Measured, object]:
    """The median time of ROUNDS runs of `work()`, and the peak memory of one."""
    times, result = [], None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measured(statistics.median(times), peak / 2**20), result


def synthetic_rows(n: int = ROWS) -> list:
    """Register rows as the writer reads them: a requirement, a score, evidence."""
    rows = []
    for i in range(n):
        requirement = SimpleNamespace(
            id=f"SYN {i // 100}.{i % 100}",
            title=f"Synthetic requirement number {i} about asset inventories",
            part="62443-2-4",
            area_id=f"CA-0{i % 8 + 1}",
            url=f"/requirements/syn-{i}",
        )
        score = SimpleNamespace(
            applicable=i % 17 != 0,
            na_reason="" if i % 17 else "Not in this plant",
            current=i % 5,
            target=(i + 2) % 5,
            owner=("Priya", "Sam", "Jo")[i % 3],
            due=date(2026, i % 12 + 1, i % 28 + 1),
            status=("not started", "in progress", "implemented", "verified")[i % 4],
            notes=f"Reviewed with the site team, row {i}." if i % 3 == 0 else "",
            version=i % 4 + 1,
        )
        rows.append(SimpleNamespace(requirement=requirement, score=score, evidence=[]))
    return rows


def export_ours(rows) -> bytes:
    from importers.writer import Exported, write_about, write_register

    exported = Exported(
        SimpleNamespace(id=1, name="Bench"),
        SimpleNamespace(name="Bench Water", slug="bench-water"),
        SimpleNamespace(email="admin@bench.test"),
        datetime(2026, 11, 30, tzinfo=UTC),
        "http://localhost/",
    )
    book = Workbook(write_only=True)
    write_about(book.create_sheet("About"), exported)
    write_register(book.create_sheet("Register"), rows, exported.base_url)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def cell_values(rows) -> list[list]:
    """Every Register cell's value, ready made; the page's cell is (text, link)."""
    from importers.columns import REGISTER, as_cell, register_values

    header = [c.header for c in REGISTER]
    return [header] + [
        [
            ("open", "http://localhost" + value)
            if c.kind == "url"
            else as_cell(c, value)
            for c in REGISTER
            for value in [register_values(r)[c.field]]
        ]
        for r in rows
    ]


def export_raw(values: list[list]) -> bytes:
    """The same cells (values, and the page's link) with nothing around them."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    for row in values:
        cells = []
        for value in row:
            if isinstance(value, tuple):
                cell = WriteOnlyCell(sheet, value=value[0])
                cell.hyperlink = value[1]
                value = cell
            cells.append(value)
        sheet.append(cells)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def import_ours(data: bytes, rows) -> int:
    from importers.columns import editable_values
    from importers.diff import Stored, diff
    from importers.reader import WorkbookReader

    stored = {
        r.requirement.id: Stored(r.score.version, editable_values(r)) for r in rows
    }
    reader = WorkbookReader(data, 1, "bench-water", set(stored))
    plan = diff(reader.rows(), stored)
    return len(reader.numbers) + len(plan.changes)


def import_raw(data: bytes) -> int:
    book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _ in book["Register"].iter_rows(values_only=True))
    book.close()
    return count


def figures() -> dict[str, tuple[Measured, Measured]]:
    rows = synthetic_rows()
    ours, data = measure(lambda: export_ours(rows))
    values = cell_values(rows)
    raw, _ = measure(lambda: export_raw(values))
    read_ours, _ = measure(lambda: import_ours(data, rows))
    read_raw, _ = measure(lambda: import_raw(data))
    return {"export": (ours, raw), "import": (read_ours, read_raw)}

"""What every workbook we write shares: bold headers, cells that show text as text (a
formula-like value stays text), dates in one format, column widths, and the bytes."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from importers.columns import looks_like_formula

BOLD = Font(bold=True)
DATE_FORMAT = "yyyy-mm-dd"


def saved(book: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def set_widths(sheet: Worksheet, *widths: int) -> None:
    """Column widths from A onwards, in characters."""
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width


def write_rows(sheet: Worksheet, headers, rows) -> None:
    """A bold header row, then one row of text cells per item of `rows`."""
    sheet.append([text_cell(sheet, h, font=BOLD) for h in headers])
    for row in rows:
        sheet.append([text_cell(sheet, value) for value in row])


def text_cell(sheet: Worksheet, value: Any, **style: Any) -> WriteOnlyCell:
    """A cell that shows `value` as it is: text that looks like a formula stays text
    (and keeps Excel's quote prefix, so editing it does not make it one)."""
    cell = WriteOnlyCell(sheet, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def about_sheet(sheet: Worksheet, title: str, facts) -> None:
    """A title, then one bold label and its value per row of `facts`."""
    set_widths(sheet, 24, 100)
    sheet.append([text_cell(sheet, title, font=BOLD)])
    sheet.append([])
    for label, value in facts:
        sheet.append([text_cell(sheet, label, font=BOLD), text_cell(sheet, value)])

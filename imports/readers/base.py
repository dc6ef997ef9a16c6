"""What every reader shares: rows and problems, the CSV reader, source tokens, figures,
and the model's own validation of a row before anything is written."""

import csv
import datetime
import io
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from core.text import TextValidator
from timeline.models import SOURCE_REFERENCES, Launch

from .. import parsing


class FileRefused(Exception):
    """The file as a whole cannot be read: wrong columns, wrong encoding, cut short.

    `row` and `column` say where: the header (row 1) by default, else the row at fault and
    "file" when the fault is the file's shape rather than a cell's content.
    """

    def __init__(self, message, *, row=1, column="header"):
        super().__init__(message)
        self.row, self.column = row, column


@dataclass
class Problem:
    row: int
    column: str
    reason: str

    def __str__(self):
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass
class Row:
    number: int
    external_id: str
    fields: dict
    claims: list = field(default_factory=list)  # (attribute, parsing.Claim)
    sources: list = field(default_factory=list)  # source tokens: URLs or references
    kept_as_text: list = field(default_factory=list)  # (column, text)
    extra: dict = field(default_factory=dict)


_url = URLValidator(schemes=["http", "https"])
_text = TextValidator()


def split_sources(text, row, column, problems, *, strict=True):
    """Source tokens of a cell ("CNS-DB ; https://…"): URLs and known dataset references."""
    tokens = []
    for token in (t.strip() for t in (text or "").split(";")):
        if not token:
            continue
        if token.upper() in SOURCE_REFERENCES:
            tokens.append(token.upper())
            continue
        try:
            _url(token)
            _text(token)
        except ValidationError:
            if strict:
                problems.append(
                    Problem(row, column, f"{token!r} is neither a URL nor a known source reference")
                )
            continue
        tokens.append(token)
    return tokens


XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a ZIP archive
# Spreadsheet exports open with an index column, named F1 or not named at all.
INDEX_COLUMNS = {"F1", ""}


def table_text(data):
    """The text of an uploaded table: CSV as given, the data sheet of an .xlsx as CSV.

    Import jobs keep their file as text, so a workbook is stored as the CSV it reads as.
    """
    if isinstance(data, str):
        return data
    if data.startswith(XLSX_MAGIC):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(_xlsx_rows(data))
        return out.getvalue()
    return _decoded(data)


def _decoded(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save it as CSV UTF-8 or as .xlsx",
            column="file",
        ) from exc


def _xlsx_rows(data):
    """The cells of a workbook's first sheet as text, each row as long as the widest."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged archive
        raise FileRefused(f"the .xlsx workbook cannot be opened ({exc})", column="file") from exc
    sheet = _data_sheet(book)
    rows = [[_xlsx_cell(cell) for cell in row] for row in sheet.iter_rows()]
    book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


# The sheet of a published workbook that holds the rows, beside its summaries.
DATA_SHEETS = ("Missile Tests",)


def _data_sheet(book):
    """The sheet named as a data sheet (the CNS workbook's "Missile Tests"), else the first."""
    named = [book[name] for name in book.sheetnames if name.strip() in DATA_SHEETS]
    return named[0] if named else book.worksheets[0]


def _xlsx_cell(cell):
    """A cell as the CSV export writes it: dates as 5-Mar-17 (a month-only format as
    Sep-84), times as 10:34:00 PM."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.date() == datetime.date(1899, 12, 30):  # a time-only cell
            value = value.time()
        elif value.time() == datetime.time():
            day_shown = "d" in (cell.number_format or "").lower()
            return value.strftime("%d-%b-%y").lstrip("0") if day_shown else f"{value:%b-%y}"
        else:
            return value.isoformat(sep=" ")
    if isinstance(value, datetime.time):
        return value.strftime("%I:%M:%S %p").lstrip("0")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class Table:
    """The header and rows of a file, checked whole; `index` is the index column, if any."""

    header: list
    rows: list  # (line number, {column: cell})
    index: str | None = None


def read_table(file, expected, required):
    """Read and check a whole CSV or .xlsx file before any row is looked at.

    Refused whole, naming the fault: wrong encoding, an unterminated quoted cell, a
    duplicated, unknown or missing column, a row with more or fewer cells than the header
    (a file cut mid-row). An index column (F1 or unnamed) may come first.
    """
    text = table_text(file.read()).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise FileRefused(
            f"the file ends inside a quoted cell or has a broken quote ({exc}): it looks cut short",
            row=reader.line_num,
            column="file",
        ) from exc
    header = [name.strip() for name in (lines[0] if lines else [])]
    index = header[0] if header and header[0] in INDEX_COLUMNS else None
    _check_header(header[1:] if index is not None else header, expected, required)
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise FileRefused(
                f"{len(cells)} cells where the header has {len(header)} columns: the file "
                "looks cut short or a cell holds an unquoted comma",
                row=number,
                column="file",
            )
        rows.append((number, {k: v.strip() for k, v in zip(header, cells, strict=True)}))
    return Table(header, rows, index)


def _check_header(header, expected, required):
    seen = set()
    for name in header:
        if name in seen:
            raise FileRefused(f"column {name!r} appears twice in the header")
        seen.add(name)
    unknown = [c for c in header if c not in expected]
    if unknown:
        raise FileRefused(f"unknown column {unknown[0]!r}; the columns are: {', '.join(expected)}")
    missing = [c for c in required if c not in header]
    if missing:
        raise FileRefused(f"missing column {missing[0]!r}")


def read_csv(file, expected, required):
    """(line number, {column: cell}) for each row of a file checked whole by read_table."""
    yield from read_table(file, expected, required).rows


def read_rows(file, expected, required, read_row):
    """(rows, problems): `read_row(number, cells, problems)` for each row of the file, the
    rows it read without a problem kept."""
    rows, problems = [], []
    for number, cells in read_csv(file, expected, required):
        before = len(problems)
        row = read_row(number, cells, problems)
        if len(problems) == before:
            rows.append(row)
    return rows, problems


def read_figure(row, column, text, attribute, field_name, *, parser=parsing.parse_figure, note=""):
    """Parse one figure cell into the row: the best value, its claims, any kept text.

    With a `note` ("missile 2"), even a plain number becomes a claim, carrying the note.
    """
    if not text:
        row.fields[field_name] = None
        return
    figures = parser(text)
    row.fields[field_name] = figures.best
    if figures.has_text:
        row.kept_as_text.append((column, text))
    if note or not figures.plain:
        for claim in figures.claims:
            claim.note = "; ".join(part for part in (claim.note, note) if part)
        row.claims.extend((attribute, claim) for claim in figures.claims)


def validate_launch(row, problems, *, field_columns, figure_columns):
    """Refuse a launch the model would reject (a cell too long, a figure too precise).

    `field_columns` maps model fields to the file's columns, `figure_columns` maps the file's
    figure columns to (claim attribute, field), so each message names the column at fault.
    """
    errors = model_errors(Launch(external_id=row.external_id, **row.fields), exclude=["slug"])
    claim_columns = {attribute: column for column, (attribute, _) in figure_columns.items()}
    for attribute, claim in row.claims:
        column = claim_columns.get(attribute, attribute)
        record = claim.to_model(attribute)
        errors += [(column, m) for _, m in model_errors(record, exclude=["launch"])]
    problems += [
        Problem(row.number, field_columns.get(name, name), message) for name, message in errors
    ]


def model_errors(instance, *, exclude):
    """(field, message) for each value the model's own validation refuses."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [(name, m) for name, messages in exc.message_dict.items() for m in messages]
    return []

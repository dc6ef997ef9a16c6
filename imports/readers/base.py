"""What every reader shares: rows and problems, the CSV reader, source tokens, figures,
and the model's own validation of a row before anything is written."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from core.text import TextValidator
from timeline.models import SOURCE_REFERENCES, Launch

from .. import parsing


class FileRefused(Exception):
    """The file as a whole cannot be read: wrong columns, wrong encoding."""


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


def read_csv(file, expected, required):
    """Rows of a CSV file as dicts, after checking its header names the expected columns."""
    text = file.read()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in expected]
    if unknown:
        raise FileRefused(f"unknown column {unknown[0]!r}; the columns are: {', '.join(expected)}")
    missing = [c for c in required if c not in header]
    if missing:
        raise FileRefused(f"missing column {missing[0]!r}")
    for number, cells in enumerate(reader, start=2):
        if None in cells:
            raise FileRefused(f"row {number} has more cells than the header has columns")
        yield number, {k: (v or "").strip() for k, v in cells.items()}


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

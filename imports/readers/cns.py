"""The CNS North Korea Missile Test Database exported as CSV or .xlsx: one missile a row,
grouped into launch events by a named rule."""

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.text import slugify

from timeline.matching import same_site
from timeline.models import ClaimAttribute, Confidence, LaunchCategory, Outcome

from .. import parsing
from .base import Problem, Row, read_figure, read_table, split_sources, validate_launch

CNS_COLUMNS = [
    "Date",
    "Date Entered/Updated",
    "Launch Time (UTC)",
    "Missile Name",
    "Missile Type",
    "Launch Agency/Authority",
    "Facility Name",
    "Facility Location",
    "Other Name",
    "Facility Latitude",
    "Facility Longitude",
    "Landing Location",
    "Apogee",
    "Distance Travelled",
    "Confirmation Status",
    "Test Outcome",
    "Additional Information",
    "Source(s)",
]
CNS_FIGURES = {
    "Apogee": (ClaimAttribute.APOGEE, "apogee_km"),
    "Distance Travelled": (ClaimAttribute.DISTANCE, "distance_km"),
}
CNS_COORDINATES = {"Facility Latitude": 90, "Facility Longitude": 180}
CNS_ZONE = zoneinfo.ZoneInfo("Asia/Seoul")
# The salvo rule: missile rows of one local (Korean) day and one facility (or all with no
# facility) whose UTC times fall within this many hours of the first are one launch event.
# A row without a time joins the one timed launch of its UTC date and facility, if there is
# exactly one; otherwise rows without a time group by their date and facility.
SALVO_WINDOW_HOURS = 3
SALVO_RULE = (
    f"rows of one Korean day (Asia/Seoul) and one facility, or all without one, whose UTC "
    f"times lie within {SALVO_WINDOW_HOURS} h of the first are one launch event; a row "
    "without a time joins the one launch of its UTC date and facility, or else groups by "
    "date and facility; the missile count is the number of rows"
)
# Cells that state no figure: the export writes them where a value is not known.
NOT_STATED = {"unknown", "n/a", "na", "-", "—", "not available", "not applicable"}
# The column a model field comes from, to name it when the model refuses a value.
CNS_FIELD_COLUMNS = {
    "occurred_on": "Date",
    "occurred_at": "Launch Time (UTC)",
    "time_note": "Launch Time (UTC)",
    "missile_type_label": "Missile Type",
    "missile_name": "Missile Name",
    "launch_site": "Facility Name",
    "site_latitude": "Facility Latitude",
    "site_longitude": "Facility Longitude",
    "direction": "Landing Location",
    "apogee_km": "Apogee",
    "distance_km": "Distance Travelled",
    "outcome_note": "Test Outcome",
    "reporting_authority": "Launch Agency/Authority",
}
_COORDINATE_PLACES = Decimal("0.00001")


@dataclass
class CnsMissile:
    """One row of the CNS file: a missile, its cells, and what its own cells parse to.

    `day` is the export's Date, the UTC date; `local_day` is the Korean date of the launch
    when the row has a time, else the UTC date as given (a day-only row cannot say more).
    """

    number: int
    cells: dict
    day: datetime.date | None = None
    precision: str = "day"
    time: parsing.ParsedTime | None = None
    occurred_at: datetime.datetime | None = None
    coordinates: dict = field(default_factory=dict)
    kept_as_text: list = field(default_factory=list)
    ok: bool = True

    @property
    def local_day(self):
        return self.occurred_at.astimezone(CNS_ZONE).date() if self.occurred_at else self.day

    @property
    def site(self):
        """The facility as grouping compares it; an unknown facility is the empty string."""
        name = self.cells["Facility Name"]
        return "" if name.lower() in NOT_STATED else slugify(name, allow_unicode=True)

    @property
    def time_text(self):
        return self.cells["Launch Time (UTC)"]


def read_cns_launches(file, *, window_hours=SALVO_WINDOW_HOURS):
    """Launches from the CNS North Korea Missile Test Database exported as CSV or .xlsx.

    The file has one row per missile; the salvo rule (SALVO_WINDOW_HOURS) groups them into
    launch events, each reported by the number of its first row.
    """
    problems, missiles = [], []
    table = read_table(file, CNS_COLUMNS, CNS_COLUMNS)
    for number, cells in table.rows:
        before = len(problems)
        missile = _cns_missile(number, cells, problems)
        missile.ok = len(problems) == before
        missiles.append(missile)
    rows, first_row_of = [], {}
    for group in salvos(missiles, datetime.timedelta(hours=window_hours)):
        if not all(m.ok for m in group):
            continue
        before = len(problems)
        row = _cns_launch(group, problems, index=table.index)
        if row.external_id in first_row_of:
            reason = (
                f"same launch id {row.external_id} as row {first_row_of[row.external_id]}: "
                "the rows differ only in how the facility is written"
            )
            problems.append(Problem(row.number, "Facility Name", reason))
        first_row_of.setdefault(row.external_id, row.number)
        if len(problems) == before:
            rows.append(row)
    rows.sort(key=lambda row: row.number)
    problems.sort(key=lambda problem: problem.row)
    return rows, problems


def salvos(missiles, window):
    """Missiles grouped by the salvo rule, each group in the file's order.

    Rows share a group when they have the same local day (or month), the same facility
    (timeline.matching.same_site: "Sunan" and "Sunan, Pyongyang" are one; or both none)
    and, when timed, a UTC time within `window` of the group's first. Rows without a time
    join the one timed group of their UTC date and facility, if there is exactly one;
    otherwise they form a group of their own.
    """
    place = _sites_of(missiles)
    keyed = {}
    for missile in missiles:
        timed = missile.occurred_at is not None
        key = (missile.precision, missile.local_day, place[missile.number], timed)
        keyed.setdefault(key, []).append(missile)
    timed_groups, untimed_groups = [], []
    for (_, _, _, timed), members in keyed.items():
        if not timed:
            untimed_groups.append(members)
            continue
        current = []
        for missile in sorted(members, key=lambda m: (m.occurred_at, m.number)):
            if current and missile.occurred_at - current[0].occurred_at > window:
                timed_groups.append(current)
                current = []
            current.append(missile)
        timed_groups.append(current)
    groups = list(timed_groups)
    for members in untimed_groups:
        first = members[0]
        fits = [
            group
            for group in timed_groups
            if first.precision == "day"
            and place[group[0].number] == place[first.number]
            and any(m.day == first.day for m in group)
        ]
        if len(fits) == 1:
            fits[0].extend(members)
        else:
            groups.append(members)
    return [sorted(group, key=lambda m: m.number) for group in groups]


def _sites_of(missiles):
    """Row number → the facility it is grouped by: the first facility of the file that is
    the same site (timeline.matching.same_site), so "Sunan" and "Sunan, Pyongyang" are one;
    "" for rows without one."""
    seen, place = [], {}
    for missile in missiles:
        name = "" if not missile.site else missile.cells["Facility Name"]
        if name:
            name = next((known for known in seen if same_site(known, name)), name)
            if name not in seen:
                seen.append(name)
        place[missile.number] = name
    return place


def _cns_missile(number, cells, problems):
    """Read the cells of one missile row; a bad cell is refused with this row's number."""

    def refuse(column, reason):
        problems.append(Problem(number, column, reason))

    missile = CnsMissile(number, cells)
    try:
        missile.day, missile.precision = parsing.parse_partial_date(cells["Date"])
    except ValueError as exc:
        refuse("Date", f"{exc}, a day such as 5-Mar-17 or a month such as Sep-84")
    if missile.time_text.lower() not in NOT_STATED:
        try:
            missile.time = parsing.parse_time(missile.time_text)
        except ValueError as exc:
            refuse("Launch Time (UTC)", str(exc))
    if missile.time and missile.time.note:
        missile.kept_as_text.append(("Launch Time (UTC)", missile.time_text))
    if missile.day and missile.precision == "day" and missile.time and missile.time.time:
        missile.occurred_at = datetime.datetime.combine(
            missile.day, missile.time.time, tzinfo=datetime.UTC
        )
    _check_entered(missile)
    for column, bound in CNS_COORDINATES.items():
        missile.coordinates[column] = _coordinate(missile, column, bound, refuse)
    for column in CNS_FIGURES:
        try:
            parsing.parse_figure(_stated(cells[column]))
        except ValueError as exc:
            refuse(column, str(exc))
    return missile


def _stated(text):
    """The cell, or "" when it only says the value is not known (Unknown, N/A)."""
    return "" if text.lower() in NOT_STATED else text


def _check_entered(missile):
    """`Date Entered/Updated` (28-Nov-17) is kept in the import record; one that is not a
    date is reported as kept as text rather than refusing the missile."""
    text = missile.cells["Date Entered/Updated"]
    if not text:
        return
    try:
        parsing.parse_date(text)
    except ValueError:
        missile.kept_as_text.append(("Date Entered/Updated", text))


def _coordinate(missile, column, bound, refuse):
    """A latitude or longitude cell: a number in range, or None (text such as Unknown is kept)."""
    text = _stated(missile.cells[column])
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        missile.kept_as_text.append((column, text))
        return None
    if not -bound <= value <= bound:
        refuse(column, f"{text} is outside -{bound}..{bound}")
        return None
    return value.quantize(_COORDINATE_PLACES)


def _distinct(values):
    """The non-empty values, each once, in the order they first appear."""
    return list(dict.fromkeys(value for value in values if value))


def _joined(missiles, column, separator="; "):
    return separator.join(_distinct(m.cells[column] for m in missiles))


def _cns_launch(missiles, problems, *, index=None):
    """One launch from the missile rows of a group; its problems name the group's first row."""
    first = missiles[0]
    timed = [m for m in missiles if m.occurred_at]
    earliest = min(timed, key=lambda m: m.occurred_at) if timed else first
    row = Row(
        number=first.number,
        external_id=_cns_id(earliest),
        fields={},
        extra={
            "record": {"format": "cns", "rows": [m.cells for m in missiles]},
            "date_precision": earliest.precision,
            "confirmation_stated": all(m.cells["Confirmation Status"] for m in missiles),
            "salvo": salvo_summary(missiles),
        },
    )
    if index is not None:
        row.extra["record"]["index_column"] = index
    row.kept_as_text = _distinct(kept for m in missiles for kept in m.kept_as_text)
    f = row.fields
    f["launching_state"] = "KP"
    f["local_timezone"] = CNS_ZONE.key
    f["occurred_on"] = earliest.local_day
    f["occurred_at"] = earliest.occurred_at
    f["time_note"] = _time_note(earliest)
    f["missile_count"] = len(missiles)
    f["missile_type_label"] = _joined(missiles, "Missile Type")
    f["category"] = _cns_category(_distinct(m.cells["Missile Type"] for m in missiles))
    f["missile_class"] = parsing.parse_missile_class(f["missile_type_label"], f["category"])
    f["missile_name"] = _joined(missiles, "Missile Name")
    f["launch_site"] = _cns_site(missiles)
    for column, field_name in (
        ("Facility Latitude", "site_latitude"),
        ("Facility Longitude", "site_longitude"),
    ):
        values = (m.coordinates[column] for m in missiles)
        f[field_name] = next((value for value in values if value is not None), None)
    f["direction"] = _joined(missiles, "Landing Location")
    for column in CNS_FIGURES:
        _cns_figure(row, missiles, column)
    f["outcome"], f["outcome_note"] = _cns_outcome(row, missiles)
    f["reporting_authority"] = _joined(missiles, "Launch Agency/Authority")
    notes = _distinct(m.cells["Additional Information"] for m in missiles)
    f["confidence"], unusual = _cns_confidence(missiles)
    notes += [f"Confirmation status: {status}" for status in unusual]
    row.kept_as_text += [("Confirmation Status", status) for status in unusual]
    citations = _cns_sources(row, missiles)
    if citations:
        notes.append(f"Sources cited: {'; '.join(citations)}")
    f["notes"] = "\n".join(notes)
    validate_launch(
        row,
        problems,
        field_columns={**CNS_FIELD_COLUMNS, "__all__": "Date"},
        figure_columns=CNS_FIGURES,
    )
    return row


def _time_note(missile):
    """Say what a launch without a UTC instant knows of its time and date."""
    if missile.precision == "month":
        return f"Month only: {missile.day:%B %Y}; the day is not known."
    if missile.occurred_at:
        return missile.time.note
    stated = missile.time.note if missile.time else ""
    said = f"Time given as {stated!r}; " if stated else "Time not known; "
    return said + "the date is the source's UTC date (the Korean date may be a day later)."


def salvo_summary(missiles):
    """ "6 rows → 1 launch, 18 Mar 2024 in Korea, 2 times 22:44 and 22:55 UTC on 17 Mar",
    for the import report."""
    timed = [m for m in missiles if m.occurred_at]
    first = min(timed, key=lambda m: m.occurred_at) if timed else missiles[0]
    if first.precision == "month":
        when = f"{first.day:%b %Y}"
    elif first.occurred_at:
        when = f"{first.local_day:%-d %b %Y} in Korea"
    else:
        when = f"{first.day:%-d %b %Y} (UTC date)"
    instants = sorted({m.occurred_at for m in missiles if m.occurred_at})
    days = sorted({instant.date() for instant in instants})
    label = "%H:%M on %-d %b" if len(days) > 1 else "%H:%M"
    times = [instant.strftime(label) for instant in instants]
    rows = f"{len(missiles)} row{'s' if len(missiles) != 1 else ''}"
    summary = f"{rows} → 1 launch, {when}"
    if len(times) > 1:
        summary += f", {len(times)} times {', '.join(times[:-1])} and {times[-1]} UTC"
    elif times:
        summary += f", {times[0]} UTC"
    else:
        return summary + ", time not known"
    summary += f" on {days[0]:%-d %b}" if len(days) == 1 else ""
    untimed = len(missiles) - len(timed)
    return summary + (f", {untimed} without a time" if untimed else "")


def _cns_id(missile):
    """cns:2022-01-05:2310:mupyong-ni — the local date (or month), the UTC time (or day) and
    the facility of the group's earliest missile."""
    time = missile.occurred_at.strftime("%H%M") if missile.occurred_at else "day"
    when = missile.day.strftime("%Y-%m") if missile.precision == "month" else missile.local_day
    site = missile.site[:100].strip("-")
    return f"cns:{when}:{time}:{site or 'unknown'}"


def _cns_category(types):
    """Cruise if a type says so, space launch for an SLV or satellite, else ballistic."""
    categories = set()
    for text in types or [""]:
        lowered = text.lower()
        if "cruise" in lowered:
            categories.add(LaunchCategory.CRUISE)
        elif re.search(r"\bslv\b|satellite", lowered):
            categories.add(LaunchCategory.SPACE)
        else:
            categories.add(LaunchCategory.BALLISTIC)
    return categories.pop() if len(categories) == 1 else LaunchCategory.MIXED


def _cns_site(missiles):
    """ "Name, Location (also: Other Name)", leaving out the empty parts."""
    name_and_place = ", ".join(
        part
        for part in (_joined(missiles, "Facility Name"), _joined(missiles, "Facility Location"))
        if part
    )
    other = _joined(missiles, "Other Name")
    return f"{name_and_place} (also: {other})".strip() if other else name_and_place


def _cns_figure(row, missiles, column):
    """A figure column of the group: one cell as the chronology reads it when every missile
    states the same, else claims per missile ("missiles 1, 2"); Unknown states nothing.

    When the missiles' cells differ, the best value is the largest of their best values.
    """
    attribute, field_name = CNS_FIGURES[column]
    positions = {}
    for position, missile in enumerate(missiles, start=1):
        if _stated(missile.cells[column]):
            positions.setdefault(missile.cells[column], []).append(position)
    everyone = len(positions) == 1 and sum(map(len, positions.values())) == len(missiles)
    if not positions or everyone:
        read_figure(row, column, next(iter(positions), ""), attribute, field_name)
        return
    bests = []
    for text, numbers in positions.items():
        label = "missile" if len(numbers) == 1 else "missiles"
        note = f"{label} {', '.join(map(str, numbers))}"
        read_figure(row, column, text, attribute, field_name, note=note)
        bests.append(row.fields[field_name])
    row.fields[field_name] = max((b for b in bests if b is not None), default=None)


def _cns_outcome(row, missiles):
    """One outcome for the group; when the missiles' outcomes differ, the note lists them."""
    texts = [m.cells["Test Outcome"] for m in missiles]
    parsed = [parsing.parse_outcome(text) for text in texts]
    row.kept_as_text += _distinct(
        ("Test Outcome", text)
        for text, (outcome, note) in zip(texts, parsed, strict=True)
        if outcome == Outcome.UNKNOWN and note
    )
    outcomes = {outcome for outcome, _ in parsed}
    if len(outcomes) == 1:
        return outcomes.pop(), "; ".join(_distinct(note for _, note in parsed))
    readable = {Outcome.SUCCESS, Outcome.PARTIAL, Outcome.FAILURE}
    outcome = Outcome.PARTIAL if outcomes <= readable else Outcome.UNKNOWN
    listed = (f"missile {n}: {text or 'not stated'}" for n, text in enumerate(texts, start=1))
    return outcome, "; ".join(listed)


def _cns_confidence(missiles):
    """Confirmed when every missile is; returns it with the statuses that say something else.

    An empty status is not a claim of anything: the importer records it as unknown
    (`confirmation_stated`), not as an unusual status.
    """
    statuses = [m.cells["Confirmation Status"] for m in missiles]
    confirmed = all(status.lower() == "confirmed" for status in statuses)
    unusual = _distinct(s for s in statuses if s and s.lower() not in {"confirmed", "unconfirmed"})
    return (Confidence.CONFIRMED if confirmed else Confidence.SUSPECTED), unusual


def _cns_sources(row, missiles):
    """Cite the CNS database and each URL; returns the citations that are not URLs."""
    tokens, citations = ["CNS-DB"], []
    for missile in missiles:
        for piece in re.split(r"[;\n]", missile.cells["Source(s)"]):
            found = split_sources(piece, missile.number, "Source(s)", [], strict=False)
            tokens += found
            if piece.strip() and not found:
                citations.append(piece.strip())
    row.sources = _distinct(tokens)
    citations = _distinct(citations)
    row.kept_as_text += [("Source(s)", citation) for citation in citations]
    return citations

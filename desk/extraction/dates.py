"""Dates and times as articles write them, in English, German, French and Japanese.

A mention keeps its place in the text, so that the launch and event finders can tell which
sentence it belongs to. Dates without a year take it from the article's own date (its
`published_on`, or a date line near its top); relative words ("today", "gestern", "昨日") count
from that date too.
"""

import datetime
import re
from dataclasses import dataclass

MONTHS = {
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
    # French
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "août": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_FULLWIDTH = str.maketrans("０１２３４５６７８９：", "0123456789:")

DATE_PATTERNS = [
    # 2022-03-24
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"),
    # 令和6年10月31日: the Reiwa era began in 2019
    re.compile(r"令和(?P<reiwa>\d{1,2}|元)年(?P<month>\d{1,2})月(?P<day>\d{1,2})日"),
    # 2022年3月24日, 3月24日
    re.compile(r"(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})日"),
    # 02.04.2024
    re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?!\d)"),
    # 7 November 2025, 18. März, 1er janvier
    re.compile(
        rf"(?<![\w.])(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|\.)? (?P<month_name>{_MONTH})\b\.?"
        r"(?:,? (?P<year>\d{4})(?![\d年]))?",
        re.I,
    ),
    # November 7, Nov. 7, 2025
    re.compile(
        rf"\b(?P<month_name>{_MONTH})\.? (?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])"
        r"(?:,? (?P<year>\d{4})(?![\d年]))?",
        re.I,
    ),
]
MONTH_ONLY = re.compile(
    rf"\b(?:in|im|en|since|seit|depuis) (?P<month_name>{_MONTH})\b(?: (?P<year>\d{{4}}))?", re.I
)

# Relative days: (pattern, days before the article's date). French "hier" is German "here",
# so it is read only in French articles.
RELATIVE = [
    (re.compile(r"\b(?:the day before yesterday)\b|\bvorgestern\w*|一昨日|おととい", re.I), 2),
    (re.compile(r"\b(?:yesterday|last night)\b|\bgestern\w*|昨日|昨夜|昨晩", re.I), 1),
    (
        re.compile(
            r"\b(?:today|this (?:morning|afternoon|evening)|earlier today|tonight)\b"
            r"|\bheut(?:e|igen?|iger|iges)\b|\baujourd'hui\b|\bce matin\b|本日|今日|今朝|本朝",
            re.I,
        ),
        0,
    ),
]
RELATIVE_FRENCH = [(re.compile(r"\bhier\b|\bavant-hier\b", re.I), 1)]
# "on Sunday": the last such day on or before the article's date ("last Sunday": before it).
# A weekday that opens a line or precedes a date is part of that date, not one of its own.
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4,
    "samstag": 5, "sonntag": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3,
    "vendredi": 4, "samedi": 5, "dimanche": 6,
}  # fmt: skip
WEEKDAY = re.compile(
    rf"(?<=\w )(?P<name>{'|'.join(WEEKDAYS)})\b(?!,?\s+(?:\d|(?:{_MONTH})\b))", re.I
)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    date: datetime.date | None  # None when the year could not be known
    month: int
    day: int | None  # None for a month named alone ("in October")
    explicit_year: bool


@dataclass(frozen=True)
class TimeMention:
    start: int
    end: int
    text: str
    minutes: int  # minutes after local midnight, in the launching state's time (KST)
    approximate: bool


def plain(text):
    """The text with full-width digits and typographic apostrophes made plain; same length."""
    return text.translate(_FULLWIDTH).replace("’", "'")


def find_dates(text, reference=None, language=""):
    """Every date mentioned in `text`, in order; years from `reference` when not written."""
    text = plain(text)
    mentions = []
    taken = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and match.end() > start for start, end in taken):
                continue
            mention = _absolute(match, reference)
            if mention:
                mentions.append(mention)
                taken.append((match.start(), match.end()))
    for match in MONTH_ONLY.finditer(text):
        if not any(match.start() < end and match.end() > start for start, end in taken):
            mentions.append(_month_only(match, reference))
    if reference:
        mentions += _relative(text, reference, language, taken)
    return sorted(mentions, key=lambda m: m.start)


def _relative(text, reference, language, taken):
    """Days named relative to the article's own date: "yesterday", "gestern", "on Sunday"."""
    found = []
    relative = RELATIVE + (RELATIVE_FRENCH if language == "fr" else [])
    matches = [(match, days) for pattern, days in relative for match in pattern.finditer(text)]
    for match in WEEKDAY.finditer(text):
        days = (reference.weekday() - WEEKDAYS[match["name"].lower()]) % 7
        if not days and re.search(r"\b(?:last|letzten|dernier)\s+$", text[: match.start()], re.I):
            days = 7
        matches.append((match, days))
    for match, days in matches:
        if not any(match.start() < end and match.end() > start for start, end in taken):
            day = reference - datetime.timedelta(days=days)
            found.append(
                DateMention(
                    match.start(), match.end(), match.group(), day, day.month, day.day, True
                )
            )
            taken.append((match.start(), match.end()))
    return found


def _absolute(match, reference):
    groups = match.groupdict()
    month = MONTHS[groups["month_name"].lower()] if groups.get("month_name") else None
    month = month or int(groups["month"])
    day = int(groups["day"])
    year = int(groups["year"]) if groups.get("year") else None
    if groups.get("reiwa"):
        year = 2018 + (1 if groups["reiwa"] == "元" else int(groups["reiwa"]))
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    explicit = year is not None
    if year is None and reference:
        year = _year_near(reference, month, day)
    try:
        date = datetime.date(year, month, day) if year else None
    except ValueError:
        return None
    if year is None:
        try:
            datetime.date(2024, month, day)  # a leap year accepts every real day
        except ValueError:
            return None
    return DateMention(match.start(), match.end(), match.group(), date, month, day, explicit)


def _month_only(match, reference):
    month = MONTHS[match["month_name"].lower()]
    year = int(match["year"]) if match["year"] else None
    if year is None and reference:
        year = reference.year if month <= reference.month else reference.year - 1
    date = datetime.date(year, month, 1) if year else None
    return DateMention(
        match.start(), match.end(), match.group(), date, month, None, bool(match["year"])
    )


def _year_near(reference, month, day):
    """The year that puts the day nearest before `reference` (a week after is still this year:
    "the summit on 10 November" in a report of 7 November)."""
    try:
        candidate = datetime.date(reference.year, month, day)
    except ValueError:
        return reference.year
    if candidate > reference + datetime.timedelta(days=60):
        return reference.year - 1
    return reference.year


# Zones named beside a time, in hours ahead of the launching state's clock (KST, UTC+9).
ZONES = {
    "kst": 0, "jst": 0, "korea": 0, "korean": 0, "seoul": 0, "pyongyang": 0, "tokyo": 0,
    "japan": 0, "local": 0, "ortszeit": 0, "locale": 0, "taipei": -1, "beijing": -1,
    "china": -1, "utc": -9, "gmt": -9, "edt": -13, "est": -14, "cet": -8, "cest": -7,
}  # fmt: skip
_ZONE = r"(?:\s*\(?(?P<zone>KST|JST|UTC|GMT|EDT|EST|CET|CEST|(?:Korea|Korean|Seoul|Pyongyang|Tokyo|Japan|local|Taipei|Beijing|China)(?: standard)? time|Ortszeit|heure locale)\)?)?"  # noqa: E501
TIME_PATTERNS = [
    # 12:10 p.m. KST, 07:34, 7.34 Uhr, 7h34
    re.compile(
        r"(?<![\d.:])(?P<hour>\d{1,2})(?::|h| h |\.(?=\d{2} ?Uhr))(?P<minute>\d{2})(?![\d:])"
        r"(?:\s*(?P<half>a\.m\.|p\.m\.|am\b|pm\b))?(?:\s*Uhr)?" + _ZONE,
        re.I,
    ),
    # 7 a.m.
    re.compile(r"(?<![\d.:])(?P<hour>\d{1,2})\s*(?P<half>a\.m\.|p\.m\.)" + _ZONE, re.I),
    # 午前7時34分, 午後2時
    re.compile(r"(?P<half>午前|午後)?(?P<hour>\d{1,2})時(?!間)(?:(?P<minute>\d{1,2})分)?"),
]
NOON = re.compile(
    r"\b(?:(?P<near>just (?:past|after|before)|around|about) )?(?:noon|midday)\b"
    r"|\bmittags\b|\bmidi\b|正午",
    re.I,
)
RANGE_ZONE = re.compile(
    r"\s*(?:and|to|-|–|bis|et|à)\s*\d{1,2}[:h.]\d{2}\s*(?:a\.m\.|p\.m\.)?" + _ZONE, re.I
)
APPROXIMATE = re.compile(
    r"(?:around|about|approximately|shortly|just|some|gegen|etwa|vers|頃|ごろ)\W*$", re.I
)


def find_times(text):
    """Every clock time in `text`, in the launching state's time (KST unless a zone is named)."""
    text = plain(text)
    found = []
    taken = []
    for pattern in TIME_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and match.end() > start for start, end in taken):
                continue
            # "between 05:45 and 06:03 Taipei time": the zone named last holds for both.
            named = match.groupdict().get("zone")
            shared = None if named else RANGE_ZONE.match(text, match.end())
            minutes = _minutes(match, shared["zone"] if shared else None)
            if minutes is not None:
                approximate = bool(
                    APPROXIMATE.search(text[max(0, match.start() - 20) : match.start()])
                    or re.match(r"\s*(?:頃|ごろ)", text[match.end() :])
                )
                found.append(
                    TimeMention(
                        match.start(), match.end(), match.group().strip(), minutes, approximate
                    )
                )
                taken.append((match.start(), match.end()))
    for match in NOON.finditer(text):
        near = (match["near"] or "").lower()
        offset = 10 if "past" in near or "after" in near else -10 if "before" in near else 0
        found.append(TimeMention(match.start(), match.end(), match.group(), 12 * 60 + offset, True))
    return sorted(found, key=lambda t: t.start)


def _minutes(match, zone=None):
    groups = match.groupdict()
    hour = int(groups["hour"])
    minute = int(groups.get("minute") or 0)
    half = (groups.get("half") or "").lower().replace(".", "")
    if half in ("pm", "午後") and hour < 12:
        hour += 12
    elif half in ("am", "午前") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    zone = (groups.get("zone") or zone or "local").lower().split()[0]
    shift = ZONES.get(zone, 0)
    return ((hour - shift) * 60 + minute) % (24 * 60)


# A date line near the top of a pasted article: its first dated line, within these characters.
TOP = 600
# Or a signature at its end: "New York, 19 February 2023".
BOTTOM = 300
# A date labelled as the page's own ("Date: …", "heute (…)") or opening its line.
DATELINE = re.compile(
    r"(?:\b(?:date|datum|published|updated|veröffentlicht|publié le|heute|today)\W{0,3}$|^\W*"
    r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch"
    r"|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
    r",?\s*)?$)",
    re.I,
)


def dateline(text):
    """The page's own date from its top: a labelled date or a date line, else its first date."""
    top = text[:TOP]
    dated = [m for m in find_dates(top) if m.explicit_year and m.day]
    for mention in dated:
        line_start = top.rfind("\n", 0, mention.start) + 1
        if DATELINE.search(top[line_start : mention.start]):
            return mention.date
    return dated[0].date if dated else None


# A short line that says it carries the page's date, wherever it is: "Published 28 March 2023".
LABELLED = re.compile(
    r"^\W*(?:published|updated|date|datum|stand|veröffentlicht|publié|mis à jour|日付|発表)"
    r"\b.{0,80}$",
    re.I | re.M,
)


def labelled_date(text):
    """The date of the first line labelled as the page's date, or None."""
    for line in LABELLED.finditer(text):
        dated = [m for m in find_dates(line.group()) if m.explicit_year and m.day]
        if dated:
            return dated[0].date
    return None


def reference_date(article):
    """The article's own date: `published_on`, else a date labelled as the page's ("Published
    …", at the top or the foot), else a date line at its top, else one in its signature."""
    if article.published_on:
        return article.published_on
    text = article.text or ""
    found = labelled_date(text) or dateline(text)
    if found:
        return found
    dated = [m for m in find_dates(text[-BOTTOM:]) if m.explicit_year and m.day]
    return dated[-1].date if dated else None

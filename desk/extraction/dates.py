"""Dates an article states: the one in an attribution ("heute (02.04.2024)") and the page's own
date when no metadata gives it ("Thursday, March 24, 2022", "Published 28 March 2023")."""

import re

import dateparser

MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Januar|Februar|März|Mai|Juni|Juli|"
    r"Oktober|Dezember|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
    r"novembre|décembre"
)
# Where a date is written, in the forms official pages use; dateparser reads what is found.
DATE = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}\.\d{{1,2}}\.\d{{4}}\b|"
    rf"(?:\d{{4}}|(?:令和|平成)(?:\d{{1,2}}|元))年\d{{1,2}}月\d{{1,2}}日|"
    rf"\b\d{{1,2}}(?:er)?\.?\s+(?:{MONTHS})\.?,?\s+\d{{4}}\b|"
    rf"\b(?:{MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}\b"
)
# Lines that say they carry the page's date.
DATE_CUE = re.compile(
    r"^\W*(?:published|date|updated|datum|stand|veröffentlicht|publié|mis à jour|日付|発表)\b",
    re.IGNORECASE,
)
# Japanese official pages count years by era: 令和6年 is 2024.
ERAS = {"令和": 2018, "平成": 1988}
ERA = re.compile(r"(令和|平成)(\d{1,2}|元)年")
FIRST_LINES = 6
# A line of the page's head that may carry its date; longer ones are its text.
SHORT_LINE = 120


def dates_in(text, language=""):
    """The dates written in `text`, in order, as datetime.date."""
    found = []
    for match in DATE.finditer(text):
        parsed = _parse(match.group(), language)
        if parsed:
            found.append(parsed)
    return found


def _parse(written, language):
    written = ERA.sub(_western_year, written)
    languages = [language, "en"] if language and language != "en" else ["en"]
    settings = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"}
    parsed = dateparser.parse(written, languages=languages, settings=settings)
    return parsed.date() if parsed else None


def page_date(text, language=""):
    """The date the page gives itself: on a line that says so ("Published …", "Date: …"), on a
    line that is mostly a date (a dateline), or else in the first lines. None if none."""
    lines = [line for line in text.split("\n") if line.strip()]
    cued = [line for line in lines if DATE_CUE.match(line)]
    datelines = [line for line in lines if _mostly_a_date(line)]
    heading = [line for line in lines[:FIRST_LINES] if len(line) <= SHORT_LINE]
    for line in cued + datelines + heading:
        found = dates_in(line, language)
        if found:
            return found[0]
    return None


def _mostly_a_date(line):
    match = DATE.search(line)
    return bool(match) and len(match.group()) >= 0.3 * len(line.strip())


def _western_year(match):
    year = 1 if match.group(2) == "元" else int(match.group(2))
    return f"{ERAS[match.group(1)] + year}年"

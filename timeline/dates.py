"""Dates as far as they are known: "6 March 2017", "September 1984" or "1984", never the
1st of a month that stands for the whole month."""

import re

from django.utils import dateformat

# The format characters that name a day (j, d, D, l, S, w), with the separators after them.
DAY_PARTS = re.compile(r"[jdDlSw]+[ ,.]*")


def known_date(day, precision, fmt="j F Y"):
    """`day` formatted with `fmt` (Django's date format) to the `precision` it is known to:
    without the day for a month ("F Y" from "j F Y"), only the year for a year."""
    if day is None:
        return ""
    if precision == "year":
        return dateformat.format(day, "Y")
    if precision == "month":
        return dateformat.format(day, DAY_PARTS.sub("", fmt).strip(" ,-") or "F Y")
    return dateformat.format(day, fmt)


def iso_known_date(day, precision):
    """The date in ISO 8601 as far as it is known ("1984-09", "1984"), for `<time datetime>`."""
    if day is None:
        return ""
    return {"year": f"{day:%Y}", "month": f"{day:%Y-%m}"}.get(precision, day.isoformat())

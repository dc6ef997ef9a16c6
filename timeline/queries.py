"""Launches and events as one stream in time order: the rule the timeline page and the
timeline API share; the event index's read paths."""

import datetime

from .models import Event

# At the same moment, an event comes before a launch: a trigger before what it prompted.
KINDS = ("event", "launch")


def event_moment(event):
    """An event's place in time: the start of its first day, in UTC."""
    return datetime.datetime.combine(event.start_date, datetime.time(), tzinfo=datetime.UTC)


def moment(kind, record):
    """A launch's `sort_at` (its time, or the end of its local day when only the day is
    known); an event's start day at 00:00 UTC."""
    return record.sort_at if kind == "launch" else event_moment(record)


def position(kind, moment, pk):
    """Where a record sits in the stream: its moment, events first, then its id."""
    return (moment, KINDS.index(kind), pk)


def merged(launches, events, *, newest_first=False):
    """(kind, record) pairs of the launches and the events, in the stream's order."""
    entries = [("event", event) for event in events] + [("launch", launch) for launch in launches]
    return sorted(
        entries,
        key=lambda entry: position(entry[0], moment(*entry), entry[1].pk),
        reverse=newest_first,
    )


def event_index():
    """The event index's events: published, newest first, each with the published launches
    linked to it."""
    return Event.objects.for_timeline().order_by("-start_date", "-id")


def event_years():
    """The years that have a published event, latest first."""
    return [day.year for day in Event.objects.published().dates("start_date", "year", "DESC")]

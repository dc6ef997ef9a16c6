"""The reader's pages that combine launches and reactions: the timeline, a launch, the stance
matrix, search and the charts."""

import datetime
from collections import Counter
from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_filters.constants import EMPTY_VALUES

from core.caching import reads, surrogate_keys
from core.fragments import cached_fragments, cached_pieces, code_digest, last_change
from core.replicas import primary_reads
from core.text import text_only
from reactions.filters import LaunchFilter
from reactions.forms import SearchForm
from reactions.models import Actor, Speaker, Stance, Statement
from timeline.filters import EventFilter
from timeline.models import DatePrecision, Event, EventKind, Launch, MissileClass
from timeline.queries import merged
from timeline.representations import DERIVED

from . import maps, queries
from .charts import (
    first_reaction_delays,
    launches_per_month,
    launches_per_year,
    stances_per_actor,
)
from .story import at_a_glance, speaking_order

# Filters that only launches have: with one of these set, the timeline shows the events
# linked to the launches it shows, rather than every event of the period.
LAUNCH_ONLY_FILTERS = ("category", "missile_class", "actor", "stance", "site")

FILTER_LABELS = {
    "year": "Year",
    "date_from": "From",
    "date_to": "To",
    "category": "Category",
    "missile_class": "Missile class",
    "actor": "Reaction by",
    "stance": "Stance",
    "site": "Launch site",
    "event_kind": "Linked event",
    "q": "Words",
    "updated_since": "Updated since",
}


def filter_errors(filterset):
    """(label, value given, message) for each filter value that could not be read."""
    return [
        (FILTER_LABELS.get(name, name), filterset.form[name].value(), message)
        for name, messages in filterset.errors.items()
        for message in messages
    ]


def filter_choices(menus):
    """Options for the filter form's menus, the actors' from `menus` (reader_menus())."""
    return {
        "missile_classes": MissileClass.choices,
        "event_kinds": EventKind.choices,
        "stances": [(str(value), label) for value, label in Stance.choices],
        "actors": menus["actors"],
    }


def records_stamp():
    """A stamp of every launch and statement: the latest version of each kind
    (queries.latest_versions()) and the latest change readers could see. None without a
    fragment cache to keep anything under it."""
    changed = last_change()
    return None if changed is None else (changed, queries.latest_versions())


# The menus read from every published record, each built by a function of no arguments as
# a tuple: a piece kept is shared by the requests that read it, and never changed.
MENUS = {
    # The years with published launches, newest first.
    "years": lambda: tuple(Launch.objects.published_years()),
    # Each launch site as (value, label), the busiest first.
    "sites": lambda: tuple(
        (site.key, f"{site.name} ({site.launches})")
        for site in maps.sites(Launch.objects.for_sites())
    ),
    # Each actor with a reaction readers may see, as (code, label).
    "actors": lambda: tuple(queries.actors_with_reactions()),
}


# The code that builds the menus: a deploy that changes it builds them again.
MENU_WRITERS = ("explore.views", "explore.maps", "explore.queries", "timeline.models.launches")


def reader_menus(stamp, *names):
    """{name: menu} of the MENUS `names`: read from the fragment cache under `stamp`
    (records_stamp()), otherwise read from the database and kept. At 10,000 launches, reading
    the three took about 10 ms of each timeline page, for menus that change only with the
    records."""

    def build(missing):
        # From the primary: what is kept must be at least as recent as its stamp, which a
        # replica lagging behind the one that gave the stamp would not be.
        with primary_reads():
            return {name: MENUS[name]() for name in missing}

    if stamp is None:
        return build(names)
    namespace = f"menus:{code_digest(*MENU_WRITERS)}"
    return cached_pieces(dict.fromkeys(names, stamp), namespace=namespace, build=build)


def period(request, filterset_class, queryset, all_years):
    """Filter `queryset` to one year: the year asked for, or the latest that has matches.
    `all_years`: the years with published launches, newest first (reader_menus()'s `years`).

    Returns the bound filterset (check `is_valid()`), the year and the years with matches.
    """
    data = request.GET.copy()
    if not any(data.get(name) for name in filterset_class.base_filters if name != "year"):
        # No filter but the year: every year has matches, and the year shown is known before
        # the filters are read, once.
        if not data.get("year") and all_years:
            data["year"] = all_years[0]
        filterset = filterset_class(data, queryset=queryset)
        if not filterset.is_valid():
            return filterset, None, []
        return filterset, filterset.form.cleaned_data["year"], all_years
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        return filterset, None, []
    data.pop("year", None)
    cleaned = filterset.form.cleaned_data
    if any(value not in EMPTY_VALUES for name, value in cleaned.items() if name != "year"):
        years = filterset_class(data, queryset=Launch.objects.published()).qs
        years = years.for_timeline_years()
    else:
        years = all_years
    year = cleaned.get("year")
    if year is None and years:
        data["year"] = years[0]
        filterset = filterset_class(data, queryset=queryset)
    year = int(year) if year is not None else (years[0] if years else None)
    return filterset, year, years


def year_links(request, years):
    """(year, query string) for each of `years`: the page's own query with that year, as
    `{% querystring year=… %}` writes it, built here once for the sixty-odd years."""
    query = request.GET.copy()
    query["year"] = 0
    # Encoded once: only the year's pair changes from one link to the next.
    pairs = query.urlencode().split("&")
    at = pairs.index("year=0")
    links = []
    for year in years:
        pairs[at] = f"year={year}"
        links.append((year, f"?{'&'.join(pairs)}"))
    return links


def neighbours(year, years):
    """The nearest earlier and later years that have launches, for paging by period."""
    earlier = [y for y in years if year is not None and y < year]
    later = [y for y in years if year is not None and y > year]
    return (earlier[0] if earlier else None), (later[-1] if later else None)


def day_of(kind, record):
    """The day a record is listed under: a launch's local day, an event's first day."""
    return record.occurred_on if kind == "launch" else record.start_date


def month_of(kind, record):
    """The month a record is listed under, or None for a launch known only to its year (listed
    as "month unknown", never under January)."""
    if kind == "launch" and record.date_precision == DatePrecision.YEAR:
        return None
    return day_of(kind, record).replace(day=1)


@reads(*LaunchFilter.base_filters, "order")
def index(request):
    """The timeline, one year at a time: launches and the events around them in time order."""
    return timeline_page(request, "timeline/index.html")


def timeline_page(request, template):
    """The timeline rendered with `template`: the page, or its embeddable form."""
    stamp = records_stamp()
    menus = reader_menus(stamp, "years", "sites", "actors")
    filterset, year, years = period(
        request, LaunchFilter, queries.timeline_launches(), menus["years"]
    )
    context = {
        "filterset": filterset,
        "year": year,
        "years": years,
        "year_choices": [(y, y) for y in years],
        "year_links": year_links(request, years),
        "filtered": any(request.GET.get(name) for name in FILTER_LABELS if name != "year"),
        "site_choices": menus["sites"],
        **filter_choices(menus),
    }
    if not filterset.is_valid():
        context["errors"] = filter_errors(filterset)
        return render(request, template, context, status=400)
    launches = list(filterset.qs) if year is not None else []
    if not context["filtered"]:  # what a filter matches may depend on any record: `all`
        surrogate_keys(request, Launch, Event, "links", Statement, *launches)  # Statement: menu
    events = []
    if year is not None:
        cleaned = filterset.form.cleaned_data
        event_data = {
            "year": year,
            "date_from": request.GET.get("date_from", ""),
            "date_to": request.GET.get("date_to", ""),
            "kind": cleaned.get("event_kind") or "",
            "q": cleaned.get("q") or "",
        }
        events = EventFilter(event_data, queryset=queries.timeline_events()).qs
        if any(cleaned.get(name) not in (None, "") for name in LAUNCH_ONLY_FILTERS):
            events = events.filter(links__launch__in=[launch.pk for launch in launches]).distinct()
        events = list(events)
    newest_first = request.GET.get("order") != "oldest"
    for launch, card in zip(launches, launch_cards(launches), strict=True):
        launch.card = card
    for event, marker in zip(events, event_markers(events), strict=True):
        event.marker = marker
    entries = merged(launches, events, newest_first=newest_first)
    earlier, later = neighbours(year, years)
    context.update(
        latest=latest_story(request, launches, year, years, stamp),
        newest_first=newest_first,
        launch_count=len(launches),
        earlier=earlier,
        later=later,
        months=[
            (month, entries_html(items))
            for month, items in groupby(entries, key=lambda entry: month_of(*entry))
        ],
    )
    return render(request, template, context)


def entries_html(entries):
    """A month's launch cards and event markers, in order, as one piece of html: joined here
    rather than looped over in the template, which took a sixth of the page's rendering."""
    return mark_safe(
        "\n".join(item.card if kind == "launch" else item.marker for kind, item in entries)
    )


CARD_TEMPLATE = "timeline/includes/_launch_card.html"


def card_stamp(launch):
    """What a launch's card shows, as a stamp: its row, its derived facts and what
    queries.card_stamps() counts under it."""
    derived = [getattr(launch, name) for name in DERIVED]
    return (launch.updated_at, derived, [getattr(launch, name) for name in queries.CARD_STAMPS])


def launch_cards(launches):
    """Each launch's card on the timeline, in order: read from the cache when nothing it shows
    changed (its row, its derived facts, what queries.card_stamps() counts),
    otherwise rendered with what it shows besides and kept."""

    def render(missing):
        prefetch_related_objects(missing, *queries.card_details())
        card = get_template(CARD_TEMPLATE)
        return [card.render({"launch": launch}) for launch in missing]

    cards = cached_fragments(launches, template=CARD_TEMPLATE, stamp=card_stamp, render=render)
    return [cards[launch.pk] for launch in launches]


MARKER_TEMPLATE = "timeline/includes/_event_marker.html"


def event_markers(events):
    """Each event's marker on the timeline, in order: read from the cache when nothing it
    shows changed (its row, and its links and their launches as Event.for_timeline_page()
    stamps them), otherwise rendered and kept."""

    def render(missing):
        prefetch_related_objects(missing, *queries.marker_details())
        marker = get_template(MARKER_TEMPLATE)
        return [marker.render({"event": event}) for event in missing]

    markers = cached_fragments(
        events,
        template=MARKER_TEMPLATE,
        stamp=lambda event: (event.updated_at, event.marker_links, event.marker_changed),
        render=render,
    )
    return [markers[event.pk] for event in events]


STORY_TEMPLATE = "timeline/includes/_latest.html"


def latest_story(request, launches, year, years, stamp):
    """The latest launch and its reactions at a glance, for the front page as it opens: only
    without filters or a chosen year, where the year's launches end with the latest one.
    While the latest launch has no reaction yet, the latest launch of the year that has
    some (by its card's stamp) is told too.

    Read from the cache while the cards of both launches and the actors that usually react
    to each are unchanged: otherwise their claims and reactions are read, and it is
    rendered again and kept. The actors that usually react are kept under `stamp`
    (records_stamp()) too (usual_reactors())."""
    if not launches or year != years[0] or any(name in request.GET for name in FILTER_LABELS):
        return None
    latest_first = sorted(launches, key=lambda launch: (launch.sort_at, launch.pk), reverse=True)
    newest = latest_first[0]
    reacted = next((launch for launch in latest_first if launch.card_statements), None)
    usual = usual_reactors([newest, *([reacted] if reacted else [])], stamp)

    def story_stamp(story_of):
        told = [story_of, *([reacted] if reacted else [])]
        return [(launch.pk, card_stamp(launch), usual[launch.pk]) for launch in told]

    def render(missing):
        prefetch_related_objects(
            [newest, *([reacted] if reacted else [])], *queries.story_details()
        )
        story = {"launch": newest, "glance": chip_glance(newest, usual[newest.pk]), "reacted": None}
        if not story["glance"].spoken and reacted is not None:
            story["reacted"] = {
                "launch": reacted,
                "glance": chip_glance(reacted, usual[reacted.pk]),
            }
        return [get_template(STORY_TEMPLATE).render({"latest": story})]

    stories = cached_fragments([newest], template=STORY_TEMPLATE, stamp=story_stamp, render=render)
    return stories[newest.pk]


def usual_reactors(launches, stamp):
    """{launch id: queries.usual_reactors(launch)} of `launches`: read from the fragment cache
    under `stamp` (records_stamp(), which moves with any launch or statement) and each
    launch's place in time, otherwise read and kept."""
    by_pk = {launch.pk: launch for launch in launches}

    def build(missing):
        with primary_reads():
            return {pk: tuple(queries.usual_reactors(by_pk[pk])) for pk in missing}

    if stamp is None:
        return build(list(by_pk))
    stamps = {pk: (stamp, launch.sort_at) for pk, launch in by_pk.items()}
    namespace = f"usual-reactors:{code_digest('explore.queries')}"
    return cached_pieces(stamps, namespace=namespace, build=build)


def chip_glance(launch, usual_reactors):
    """A timeline launch's reactions at a glance, from the chips prefetched for its card,
    against the actors that usually react."""
    return at_a_glance(
        launch.statements.all(),
        usual_reactors,
        name_of=lambda statement: statement.actor_label,
        code_of=lambda statement: statement.actor_code,
    )


@reads()
def launch_detail(request, slug):
    """A launch: its headline facts, the reactions to it, then its figures, context and
    sources."""
    launch = get_object_or_404(queries.launch_head(), slug=slug)
    surrogate_keys(request, launch, Launch, Event, "links")
    context = {"launch": launch, "body": launch_body(request, launch)}
    return render(request, "timeline/launch_detail.html", context)


LAUNCH_BODY_TEMPLATE = "timeline/includes/_launch_body.html"


def launch_body(request, launch):
    """What a launch page shows under its title: read from the cache when nothing it shows
    changed (the launch's row, its derived facts, the stamp of the rest and the actors that
    usually react, all from queries.launch_head(); the address and day its citation names;
    the address of its map's image, which a deploy renames), otherwise rendered and kept.
    Every visitor sees the same body: published records only, nothing of their session."""

    def stamp(launch):
        derived = [getattr(launch, name) for name in DERIVED]
        page = [getattr(launch, f"stamp_{name}") for name in queries.PAGE_STAMP_PARTS]
        reactors = sorted(set((launch.stamp_reactors or "").split(",")))
        cited = (request.build_absolute_uri("/"), timezone.now().astimezone(datetime.UTC).date())
        return (launch.updated_at, derived, page, reactors, cited, static(maps.BASEMAP))

    def render_body(missing):
        prefetch_related_objects(missing, *queries.launch_page_details())
        statements = launch.statements.all()
        glance = at_a_glance(
            statements,
            queries.usual_reactors(launch),
            name_of=lambda statement: str(statement.actor),
            code_of=lambda statement: statement.actor.code,
        )
        order, timed = speaking_order(statements)
        context = {"launch": launch, "glance": glance, "speaking_order": order, "timed": timed}
        return [get_template(LAUNCH_BODY_TEMPLATE).render(context, request)]

    body = cached_fragments(
        [launch], template=LAUNCH_BODY_TEMPLATE, stamp=stamp, render=render_body
    )
    return body[launch.pk]


@reads()
def charts(request):
    """Launches per year and per month by missile class, reactions by stance per actor and
    year, and days to each actor's first reaction: SVG charts and the tables behind them."""
    context = {
        "chart": launches_per_year(list(Launch.objects.for_chart())),
        "per_month": launches_per_month(list(Launch.objects.for_chart_by_month())),
        "stances": stances_per_actor(list(Statement.objects.for_chart_stances())),
        "delays": first_reaction_delays(list(Statement.objects.for_chart_first_reactions())),
    }
    return render(request, "timeline/charts.html", context)


@reads()
def site_map(request):
    """Launch sites on a map of the Korean peninsula, each sized by its published launches
    and linked to the timeline of its launches, with the same sites as a list."""
    found = maps.sites(Launch.objects.for_sites())
    return render(request, "explore/map.html", {"sites": found, "map": maps.site_map(found)})


@reads(*LaunchFilter.base_filters)
def stance_matrix(request):
    """Launches of one year against the actors that reacted to them, cell by cell."""
    menus = reader_menus(records_stamp(), "years", "actors")
    filterset, year, years = period(
        request, LaunchFilter, queries.matrix_launches(), menus["years"]
    )
    context = {"filterset": filterset, "year": year, "years": years, **filter_choices(menus)}
    if not filterset.is_valid():
        context["errors"] = filter_errors(filterset)
        return render(request, "reactions/matrix.html", context, status=400)
    launches = list(filterset.qs) if year is not None else []
    surrogate_keys(request, Statement, Launch, Event, "links")
    cells = queries.matrix_cells([launch.pk for launch in launches])
    rows = [(launch, cells.get(launch.pk, {})) for launch in launches]
    # Columns: the actors that spoke most often first, then by name.
    spoke = Counter(actor_id for _, by_actor in rows for actor_id in by_actor)
    columns = sorted(
        Actor.objects.filter(pk__in=spoke), key=lambda actor: (-spoke[actor.pk], actor.name)
    )
    earlier, later = neighbours(year, years)
    context.update(
        columns=columns,
        rows=[
            (launch, [by_actor.get(actor.pk, []) for actor in columns]) for launch, by_actor in rows
        ],
        earlier=earlier,
        later=later,
    )
    return render(request, "reactions/matrix.html", context)


# Results of each kind shown with all kinds together, and on each page of one kind.
RESULTS_PREVIEW = 5
RESULTS_PER_PAGE = 25


def search_results(text):
    """Each kind's matches for `text`, best first: {kind: queryset}, in SearchForm.KINDS's
    order."""
    return {
        "statements": Statement.objects.for_search(text),
        "launches": Launch.objects.for_search(text),
        "events": Event.objects.for_search(text),
        "actors": Actor.objects.for_search(text),
        "speakers": Speaker.objects.for_search(text),
    }


@reads("q", "kind", "page")
def search(request):
    """Statements, launches, events, actors and speakers matching the words asked for: how
    many of each kind, the first few of each, or one kind page by page (`kind`, `page`)."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        # Shown back to be corrected, without what no page can show.
        context = {
            "q": text_only(request.GET.get("q", "")),
            "errors": [message for messages in form.errors.values() for message in messages],
        }
        return render(request, "reactions/search.html", context, status=400)
    text, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    context = {"q": text, "kind": kind}
    if text:
        sections = []
        for name, found in search_results(text).items():
            size = RESULTS_PER_PAGE if name == kind else RESULTS_PREVIEW
            page = Paginator(found, size).get_page(form.cleaned_data["page"] if kind else 1)
            sections.append((name, SearchForm.KINDS[name], page))
        context["sections"] = sections
    return render(request, "reactions/search.html", context)

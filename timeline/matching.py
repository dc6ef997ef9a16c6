"""Matching across sources: is an incoming launch one Salvo already holds?

The rule, in one place (docs/import-formats.md, "Matching across sources", states it):
a launch from one source matches a launch from another when

- their local dates are at most MATCH_DAYS apart (one source's day may be the other's
  UTC day);
- when both times are known, they are at most MATCH_WINDOW apart;
- their types are compatible: the same missile class, or either class unknown;
- they do not come from the same source format: a file's own rows are told apart by
  the file (two chronology launches three hours apart are two launches).

Where several launches match, the one whose site is the same (`same_site`) is the match
when there is exactly one such; otherwise the match is ambiguous.
"""

import datetime
import re
import unicodedata

from .models import Launch, MissileClass

MATCH_DAYS = 1
MATCH_WINDOW = datetime.timedelta(hours=3)
UNKNOWN_CLASSES = {"", MissileClass.UNKNOWN}
# Words that say where about a site, not which site: "Sunan area" is Sunan.
SITE_FILLER = {
    "airfield",
    "airport",
    "area",
    "around",
    "city",
    "county",
    "international",
    "near",
    "of",
    "province",
    "the",
    "unknown",
    "vicinity",
}


def site_words(name):
    """The words that name a site: case, accents, punctuation and filler words aside;
    "Mupyong-ni" and "Mupyongni" are one word."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[-'\u2019]", "", text)
    return frozenset(re.findall(r"[a-z0-9]+", text)) - SITE_FILLER


def same_site(one, other):
    """Whether two site names are near enough to be one site: the words of one contain the
    other's ("Sunan", "Sunan, Pyongyang", "Pyongyang Sunan International Airport", "sunan
    area"). An unknown or empty site is the same as no site, not as every site."""
    one, other = site_words(one), site_words(other)
    return bool(one and other) and (one <= other or other <= one)


def compatible_types(one, other):
    """Same missile class, or one of them unknown."""
    if one in UNKNOWN_CLASSES or other in UNKNOWN_CLASSES:
        return True
    return one.lower() == other.lower()


def import_format(launch):
    """The source format a launch was imported from ("cns"), or "" when entered by hand."""
    return (launch.import_record or {}).get("format", "")


def matches(candidate, launch):
    """Whether `launch` is the launch `candidate` describes, by the rule above."""
    if abs((candidate.occurred_on - launch.occurred_on).days) > MATCH_DAYS:
        return False
    both_timed = candidate.occurred_at and launch.occurred_at
    if both_timed and abs(candidate.occurred_at - launch.occurred_at) > MATCH_WINDOW:
        return False
    if not compatible_types(candidate.missile_class, launch.missile_class):
        return False
    own = import_format(candidate)
    return not own or own != import_format(launch)


def matching_launches(candidate):
    """The launches already held that `candidate` (an unsaved Launch) describes, oldest first.

    One: the candidate is that launch, seen by another source. Several: ambiguous, for an
    analyst to decide. None: a launch of its own.
    """
    near = Launch.objects.filter(
        occurred_on__range=(
            candidate.occurred_on - datetime.timedelta(days=MATCH_DAYS),
            candidate.occurred_on + datetime.timedelta(days=MATCH_DAYS),
        )
    ).exclude(pk=candidate.pk)
    if candidate.external_id:
        near = near.exclude(external_id=candidate.external_id)
    near = list(near.order_by("sort_at", "id"))
    taken = [launch for launch in near if _took_in(launch, candidate.external_id)]
    if taken:
        return taken[:1]  # it came in there before: matched, or merged by an analyst
    found = [launch for launch in near if matches(candidate, launch)]
    same_place = [
        launch for launch in found if same_site(candidate.launch_site, launch.launch_site)
    ]
    return same_place if len(found) > 1 and len(same_place) == 1 else found


def _took_in(launch, external_id):
    """Whether `launch` already holds the import row `external_id` (matched or merged)."""
    matched = (launch.import_record or {}).get("matched", [])
    return bool(external_id) and any(m.get("external_id") == external_id for m in matched)

"""Launches, the events around them, the links between the two, and the sources we cite."""

from .events import (
    Event,
    EventKind,
    EventQuerySet,
    Link,
    LinkConfidence,
    LinkQuerySet,
    Relation,
)
from .facts import LaunchFacts
from .launches import (
    ClaimAttribute,
    Confidence,
    DatePrecision,
    Launch,
    LaunchCategory,
    LaunchClaim,
    LaunchQuerySet,
    MissileClass,
    Outcome,
    validate_state_code,
)
from .sources import (
    SOURCE_REFERENCES,
    CitesSources,
    Source,
    SourceQuerySet,
    validate_further_sources,
)
from .suggestions import SuggestionStatus, TriggerSuggestion

__all__ = [
    "SOURCE_REFERENCES",
    "CitesSources",
    "ClaimAttribute",
    "Confidence",
    "DatePrecision",
    "Event",
    "EventKind",
    "EventQuerySet",
    "Launch",
    "LaunchCategory",
    "LaunchClaim",
    "LaunchFacts",
    "LaunchQuerySet",
    "Link",
    "LinkConfidence",
    "LinkQuerySet",
    "MissileClass",
    "Outcome",
    "Relation",
    "Source",
    "SourceQuerySet",
    "SuggestionStatus",
    "TriggerSuggestion",
    "validate_further_sources",
    "validate_state_code",
]

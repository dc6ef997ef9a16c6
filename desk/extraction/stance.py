"""What a statement says of the launch: a stance on Salvo's scale, and its themes.

The cues are data (desk/extraction/lexicon.py). The strongest cue wins; between cues of equal
weight the more specific stance wins (a defence or an expression of concern says more than a
characterisation such as "violation"), then the earlier one. A cue that a negation governs
("does not pose a threat", "refuses to condemn") counts only as a weak neutral cue.
"""

import re
from dataclasses import dataclass
from functools import cache

from django.utils.text import slugify

from desk.extraction.lexicon import (
    CONCERNED,
    CONDEMNS,
    DEFENDS,
    NEGATIONS_AFTER,
    NEGATIONS_BEFORE,
    NEUTRAL,
    STANCE_CUES,
    SUPPORTIVE,
    THEME_CUES,
)
from reactions.models import Theme

# Among cues of equal weight, the higher wins.
SPECIFICITY = {DEFENDS: 4, SUPPORTIVE: 3, CONCERNED: 2, CONDEMNS: 1, NEUTRAL: 0}
# How far back a negation may stand from its cue, within the clause.
NEGATION_REACH = 40


@dataclass(frozen=True)
class Cue:
    language: str
    stance: str
    weight: int
    pattern: re.Pattern


@dataclass(frozen=True)
class Found:
    stance: str
    weight: int
    start: int
    end: int
    words: str


@cache
def _cues():
    cues = []
    for language, stance, weight, pattern in STANCE_CUES:
        start = "" if language == "ja" else r"(?<!\w)"
        cues.append(Cue(language, stance, weight, re.compile(f"{start}(?:{pattern})", re.I)))
    return cues


def suggest_stance(quote, language):
    """("condemns|concerned|neutral|supportive|defends", [the words that suggested it])."""
    text = _normalized(quote)
    languages = {language or "en", "en"}
    found = _found(text, [cue for cue in _cues() if cue.language in languages], language)
    if not found:
        found = _found(text, [cue for cue in _cues() if cue.language not in languages], language)
    if not found:
        return NEUTRAL, []
    best = max(found, key=lambda f: (f.weight, SPECIFICITY[f.stance], -f.start))
    words = []
    for item in sorted(found, key=lambda f: f.start):
        if item.stance == best.stance and item.words not in words:
            words.append(item.words)
    return best.stance, words


def _normalized(text):
    return (text or "").replace("’", "'").replace("‘", "'")


def _found(text, cues, language):
    """The cues in `text`, negated ones turned weak and neutral (their words then include the
    negation), overlaps kept longest. A negation is read in the cue's language and in the
    text's ("ne … pas une menace")."""
    matches = []
    for cue in cues:
        for match in cue.pattern.finditer(text):
            start, end = match.start(), match.end()
            negated = _negation(text, start, end, cue.language) or _negation(
                text, start, end, language
            )
            if negated:
                words = text[negated[0] : negated[1]].strip()
                matches.append(Found(NEUTRAL, 1, start, end, words))
            else:
                matches.append(Found(cue.stance, cue.weight, start, end, match.group().strip()))
    kept = []
    for item in sorted(matches, key=lambda f: (-(f.end - f.start), f.start)):
        if all(item.end <= other.start or item.start >= other.end for other in kept):
            kept.append(item)
    return kept


def _negation(text, start, end, language):
    """The span from a negation to its cue (or from the cue to a negation after it), or None."""
    before = NEGATIONS_BEFORE.get(language)
    if before:
        window_start = max(0, start - NEGATION_REACH)
        window = text[window_start:start]
        clause = re.split(r"[,;:.!?]", window)[-1]
        found = re.search(before, clause, re.I)
        if found and not re.search(r"\bnot only\b", clause, re.I):
            return start - len(clause) + found.start(), end
    after = NEGATIONS_AFTER.get(language)
    found = after and re.search(after, text[end : end + 30], re.I)
    return (start, end + found.end()) if found else None


def suggest_themes(quote, language):
    """Theme slugs the quote touches, from the themes on record, in the lexicon's order."""
    text = _normalized(quote)
    wanted = [slugify(name) for name, patterns in _theme_cues() if _any(patterns, text)]
    if not wanted:
        return []
    on_record = set(Theme.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    return [slug for slug in wanted if slug in on_record]


@cache
def _theme_cues():
    return [
        (name, [re.compile(rf"(?<![A-Za-zÀ-ÿ])(?:{pattern})", re.I) for pattern in patterns])
        for name, patterns in THEME_CUES.items()
    ]


def _any(patterns, text):
    return any(pattern.search(text) for pattern in patterns)

"""The events an article mentions: sanctions, summits, visits, warnings, exercises.

Each mention is found by its trigger word ("sanctions", "summit", "visit", "drills",
"warning" by the launching state, a Security Council veto, "talks") and read in the few words
around it, so that one sentence may name two events ("the warning against the sanctions").
The phrase is matched to the events on record near the article's date (one query) by kind,
shared names and date; otherwise a draft event is proposed with the phrase as its title.
"""

import datetime
import re

from desk.extraction.dates import find_dates, plain, reference_date
from desk.extraction.launches import match_launch
from timeline.models import DatePrecision, Event, EventKind, Launch, Relation

# Who speaks for the launching state, for a warning to be one of its warnings.
LAUNCHING_STATE = r"(?:North Korea|Pyongyang|DPRK|Kim Jong[- ]Un|Kim Yo[- ]Jong|KCNA|Nordkorea|Corée du Nord|北朝鮮)"  # noqa: E501
TRIGGERS = [
    (EventKind.SANCTIONS, r"(?:new|recent|fresh|additional|further|unilateral|independent|U\.S\.|US|American|EU|European|Japanese|South Korean|British|imposed?|impos\w+|announced|slapped)\s+(?:\w+\s+){0,2}sanctions|sanctions\s+(?:on|against|targeting|designating)\b|designat(?:es|ed|ions?) (?:of )?(?:\w+ ){0,3}(?:individuals|entities)|(?:neue|weitere)\w* Sanktion\w*|Sanktionen gegen|nouvelles sanctions|sanctions contre|制裁措置|独自制裁"),  # noqa: E501
    (EventKind.WARNING, rf"{LAUNCHING_STATE}(?:'s)?\s+(?:\w+\s+){{0,3}}(?:warn(?:s|ed|ings?)?|vow(?:s|ed)?|threaten(?:s|ed)? to|ultimatum)\b|warn\w* (?:by|from) {LAUNCHING_STATE}|{LAUNCHING_STATE}[^.。]{{0,30}}警告"),  # noqa: E501
    (EventKind.SUMMIT, r"summit\w*|Gipfel\w*|sommet\w*|首脳会談|サミット"),
    (EventKind.STATE_VISIT, r"(?:state |official )?visit(?:s|ed|ing)?\b|Staatsbesuch\w*|Besuch\w*|visite\w*|訪問"),  # noqa: E501
    (EventKind.EXERCISE, r"(?:military |joint |combined |naval |air )?(?:exercises?|drills?)\b|Freedom (?:Shield|Edge)|Ulchi\w*|Vigilant Storm|Militärübung\w*|Manöver\w*|exercices? militaires?|演習"),  # noqa: E501
    (EventKind.UN_ACTION, r"vetoe?d?s?\b|Veto\w*|(?:emergency|urgent) (?:meeting|session) of the (?:UN |United Nations )?Security Council|Security Council (?:adopted|resolution \d+)|Panel of Experts|Sicherheitsrat\w* (?:verabschiedet|Dringlichkeitssitzung)|安保理(?:会合|決議)"),  # noqa: E501
    (EventKind.TALKS, r"(?:defen[cs]e|security|annual|bilateral|trilateral|high-level|foreign ministers'?|telephone) talks?\b|talks? (?:between|with) (?-i:[A-Z])|Gespräche zwischen|pourparlers|会談|協議"),  # noqa: E501
]  # fmt: skip
TRIGGER_PATTERNS = [(kind, re.compile(pattern, re.I)) for kind, pattern in TRIGGERS]
# "I just held a telephone talk": the event is what was held, not who held it.
SOMEONE_DID = re.compile(
    r"^.*?\b(?:I|we|he|she|they|it)\s+(?:\w+\s+){0,2}?(?:held|hold|had|attended|joined|hosted|conducted|staged|met|began|started|completed)\s+(?:a\s+|an\s+|the\s+)?",
    re.I,
)
# Calls for talks are not talks.
NOT_AN_EVENT = re.compile(
    r"(?:resume|return to|call\w* for|urg\w* \w+ to|engage in|open to|offers? of)"
    r"\s+(?:\w+\s+){0,2}$",
    re.I,
)

TIMED = re.compile(
    r"\b(?:ahead of|on the eve of|coincid\w*|timing|timed|during|amid|as \w+ (?:visit|hold|met)\w*|days? before|hours? before|vor\b|avant|während|pendant)",  # noqa: E501
    re.I,
)
RESPONSE = re.compile(
    r"\b(?:followed|in response|response to|retaliat\w*|against|protest\w*|after|following|denounc\w*|als Reaktion|en réponse|en représailles)",  # noqa: E501
    re.I,
)
DEFAULT_RELATION = {
    EventKind.SANCTIONS: Relation.RESPONSE_TO,
    EventKind.WARNING: Relation.RESPONSE_TO,
    EventKind.UN_ACTION: Relation.FOLLOWED_BY,
}
NEIGHBOURS = {
    frozenset({EventKind.SUMMIT, EventKind.STATE_VISIT}),
    frozenset({EventKind.SUMMIT, EventKind.TALKS}),
}

WORDS_BEFORE, WORDS_AFTER = 7, 9
STOPWORDS = {
    "the", "and", "for", "with", "from", "that", "this", "its", "their", "against", "recent",
    "north", "korea", "korea's", "launch", "launches", "missile", "ahead",
    "which", "were", "was", "has", "have", "been", "will", "into", "over", "after", "before",
    "president", "minister", "der", "die", "das", "und", "les", "des", "une", "pour",
}  # fmt: skip
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9", "ten": "10"}  # fmt: skip
# Events on record looked at: those from a season before the article to a month after it.
BEFORE, AFTER = datetime.timedelta(days=120), datetime.timedelta(days=45)
MATCH_THRESHOLD = 5.0


def find_events(article):
    """[{"match": slug or None, "proposed": {...} or None, "relation", "evidence"}], in order."""
    mentions = _mentions(article)
    if not mentions:
        return []
    anchor = _anchor(article)
    reference = reference_date(article) or anchor
    for mention in mentions:
        mention["date"] = _own_date(mention["text"], reference, article.language)
    candidates = _candidates(anchor)
    used = set()
    found = []
    for mention in mentions:
        event = _best(mention, candidates, anchor, used)
        if event:
            used.add(event.pk)
        found.append(
            {
                "match": event.slug if event else None,
                "proposed": None if event else _proposal(mention, anchor),
                "relation": _relation(mention, event, anchor),
                "evidence": mention["sentence"].text,
                "kind": event.kind if event else mention["kind"].value,
            }
        )
    return found


def _mentions(article):
    """Each event trigger with the phrase around it, one per kind and sentence."""
    mentions = []
    for sentence in article.sentences:
        text = plain(sentence.text)
        for kind, pattern in TRIGGER_PATTERNS:
            match = pattern.search(text)
            while match and NOT_AN_EVENT.search(text[: match.start()]):
                match = pattern.search(text, match.end())
            if not match:
                continue
            phrase = _phrase(text, match.start(), match.end())
            mentions.append(
                {
                    "kind": kind,
                    "sentence": sentence,
                    "text": text,
                    "at": match.start(),
                    "phrase": phrase,
                }
            )
    return sorted(mentions, key=lambda m: (m["sentence"].start, m["at"]))


# A name runs back from its trigger to the word that introduces it, and on to its clause's end.
PHRASE_START = re.compile(
    r"[,;:()—–\"“”]|\b(?:and|but|while|as|which|that|of|against|to|on|for|with|by|from|at|in"
    r"|into|over|followed|follows|came|comes|echoes|after|following|ahead|amid|during|despite"
    r"|held|said|und|et)\b"
)
PHRASE_END = re.compile(r"[,;:()—–\"“”]|\.\s|\.$|\b(?:and|but|while|which|who|und|et)\b")


def _phrase(text, start, end):
    """The words around a trigger, within its clause: what names the event."""
    before = PHRASE_START.split(text[:start])[-1].split()
    after = PHRASE_END.split(text[end:])[0].split()
    words = [*before[-WORDS_BEFORE:], text[start:end], *after[:WORDS_AFTER]]
    phrase = " ".join(words).strip(" .\"'")
    return SOMEONE_DID.sub("", phrase)


def _own_date(text, reference, language):
    """A date of the event itself: one in its sentence that no launch word follows."""
    for mention in find_dates(text, reference, language):
        if mention.date and not re.match(r"\s*(?:launch|missile|test|firing)", text[mention.end :]):
            return mention
    return None


def _anchor(article):
    """The launch's day when it is on record, else the article's own date."""
    found = match_launch(article)["match"]
    if found:
        return Launch.objects.filter(slug=found).values_list("occurred_on", flat=True).first()
    return reference_date(article)


def _candidates(anchor):
    if not anchor:
        return []
    return list(
        Event.objects.filter(start_date__range=(anchor - BEFORE, anchor + AFTER)).only(
            "slug", "kind", "title", "start_date", "participants", "location", "description"
        )
    )


def _best(mention, candidates, anchor, used):
    scored = [
        (_score(mention, event, anchor), event) for event in candidates if event.pk not in used
    ]
    scored = [(score, event) for score, event in scored if score >= MATCH_THRESHOLD]
    return max(scored, key=lambda pair: (pair[0], -pair[1].pk))[1] if scored else None


def _score(mention, event, anchor):
    """Kind, names shared with the event's title and participants, then nearness in time."""
    if event.kind == mention["kind"]:
        score = 3.0
    elif frozenset({event.kind, mention["kind"]}) in NEIGHBOURS:
        score = 1.5
    else:
        return 0.0
    score += _overlap(mention["phrase"], f"{event.title} {event.participants} {event.location}")
    own = mention["date"]
    if own and abs((own.date - event.start_date).days) <= 1:
        score += 3.0
    elif anchor and abs((anchor - event.start_date).days) <= 14:
        score += 1.0
    return score


def _overlap(phrase, record):
    """Names count 2, other words 1: "APEC" or "Trump" say more than "meeting"."""
    theirs = _words(record)
    score = 0.0
    for word in _words(phrase) | _acronyms(phrase):
        if word in theirs:
            score += 2.0 if word.isupper() or word[:1].isupper() else 1.0
    return score


def _words(text):
    words = set()
    for word in re.findall(r"[\w][\w-]*", text):
        for part in {word, *word.split("-")}:
            lowered = part.lower()
            if (len(part) < 3 and not part.isdigit()) or lowered in STOPWORDS:
                continue
            part = NUMBER_WORDS.get(lowered, part)
            words.add(part if part.isupper() or part[:1].isupper() else lowered)
            words.add(lowered)
    return words


CAPITALISED_RUN = re.compile(r"(?:[A-Z]\w*(?:-[A-Z]\w*)*\s+){2,}[A-Z]\w*(?:-[A-Z]\w*)*")


def _acronyms(phrase):
    """The initials of each run of capitalised words: "Asia-Pacific Economic Cooperation" →
    APEC."""
    found = set()
    for run in CAPITALISED_RUN.findall(phrase):
        initials = "".join(part[0] for word in run.split() for part in word.split("-"))
        if len(initials) >= 3:
            found.add(initials)
    return found


def _relation(mention, event, anchor):
    """Timed with, a response to, or followed by: the sentence's words, then the dates."""
    text = mention["text"]
    when = event.start_date if event else (mention["date"].date if mention["date"] else None)
    if TIMED.search(text):
        return Relation.TIMED_WITH.value
    if when and anchor and when > anchor:
        return Relation.FOLLOWED_BY.value
    if RESPONSE.search(text):
        return Relation.RESPONSE_TO.value
    return DEFAULT_RELATION.get(mention["kind"], Relation.TIMED_WITH).value


def _proposal(mention, anchor):
    own = mention["date"]
    if own:
        start, precision = own.date, DatePrecision.DAY if own.day else DatePrecision.MONTH
    elif anchor:
        start, precision = anchor.replace(day=1), DatePrecision.MONTH
    else:
        start, precision = None, DatePrecision.DAY
    title = mention["phrase"]
    return {
        "kind": mention["kind"].value,
        "title": title[:1].upper() + title[1:],
        "start_date": start.isoformat() if start else None,
        "date_precision": precision.value,
    }

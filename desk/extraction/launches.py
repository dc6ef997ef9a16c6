"""Which launch an article is about: a match among launches on record, or a proposed one.

The article's dates, times, missile types, names and places are read sentence by sentence;
each launch on record near one of its dates gets a score: the date (the day itself, or a day
off, since a Korean date may be the day before in UTC), then the type, time, name and place
that the same sentence gives, then what the whole text says. Only the launches of those days
are read, in one query. Every figure the text states comes back as a claim with its claimant,
whether or not a launch matched, so that the desk can offer it.
"""

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from desk.extraction.dates import find_dates, find_times, plain, reference_date
from timeline.models import ClaimAttribute, Launch, MissileClass

KST = zoneinfo.ZoneInfo("Asia/Seoul")

# A sentence that says a launch happened.
LAUNCH_WORDS = re.compile(
    r"\b(?:launch\w*|fir(?:ed|es|ing)|test[- ]?fir\w*|tests?|tested|shot|lift-?off"
    r"|start(?:ete?)?|abschuss|abgefeuert|gestartet|raketentest\w*|raketenstart\w*"
    r"|tir(?:é|s|ait)?|lanc(?:é|ement|er)\w*|essai\w*)\b|発射|打ち上げ",
    re.I,
)

# The missile classes as articles name them; the first that matches a phrase claims it.
CLASS_WORDS = [
    (MissileClass.ICBM, r"\bICBMs?\b|inter-?continental|interkontinental\w*|大陸間弾道"),
    (MissileClass.ICBM, r"long[- ]range ballistic|langstrecken\w*|longue portée|長距離弾道"),
    (MissileClass.MRBM, r"\bMRBMs?\b|medium[- ]range|moyenne portée|準中距離弾道"),
    (MissileClass.IRBM, r"\bIRBMs?\b|intermediate[- ]range|portée intermédiaire|中距離弾道"),
    (MissileClass.IRBM, r"mittelstrecken\w*"),
    (MissileClass.SRBM, r"\bSRBMs?\b|short[- ]range|kurzstrecken\w*|courte portée|短距離弾道"),
    (MissileClass.CRBM, r"\bCRBMs?\b|close[- ]range"),
    (MissileClass.SLBM, r"\bSLBMs?\b|submarine[- ]launched|mer-sol|潜水艦発射"),
    (MissileClass.CRUISE, r"cruise missiles?|marschflugkörper\w*|missiles? de croisière|巡航ミサイル"),  # noqa: E501
    (MissileClass.HGV, r"hypersonic|hyperschall\w*|hypersoni\w*|極超音速"),
    (MissileClass.SLV, r"satellite|space launch vehicle|carrier rocket|satellit\w*|lanceur|衛星"),
    (MissileClass.ARTILLERY, r"multiple rocket launchers?|rocket artillery|artillery rockets?|\bMRLs?\b|mehrfachraketenwerfer\w*|多連装ロケット"),  # noqa: E501
]  # fmt: skip
CLASS_PATTERNS = [(value, re.compile(pattern, re.I)) for value, pattern in CLASS_WORDS]
# Whether a launch's own label names a class: "IRBM (hypersonic)" is hypersonic too.
LABEL_PATTERNS = {
    value: re.compile("|".join(p for v, p in CLASS_WORDS if v == value), re.I)
    for value, _ in CLASS_WORDS
}
# Classes that a report may give for one another: a German "Mittelstreckenrakete" may be
# either, and a hypersonic missile is filed by its range with the glide body in its label.
NEIGHBOURS = {
    frozenset({MissileClass.MRBM, MissileClass.IRBM}),
    frozenset({MissileClass.HGV, MissileClass.IRBM}),
    frozenset({MissileClass.HGV, MissileClass.MRBM}),
    frozenset({MissileClass.SRBM, MissileClass.CRBM}),
}
# The noun a class word qualifies, for the type as written: "short-range ballistic missile".
MISSILE_NOUN = re.compile(r"(?:\s+(?:ballistic|cruise|guided))?\s+(?:missiles?|rockets?)\b", re.I)
NAME = re.compile(
    r"\b(?:Hwasong|Pukguksong|Chollima|Malligyong|Hwasal|Haeil|Pulhwasal|KN)-?\s?\d+[A-Za-z]?\b"
)
SEAS = {
    "east": re.compile(r"east sea|sea of japan|japanese sea|japanisch\w* meer|mer du japon|日本海|東海", re.I),  # noqa: E501
    "west": re.compile(r"yellow sea|west sea|gelbe\w* meer|mer jaune|黄海|西海", re.I),
}  # fmt: skip
DIRECTION = re.compile(
    r"\b(?:toward|towards|into|in Richtung|vers|en direction de)\s+(?:the\s+|la\s+|das\s+)?"
    r"(?P<place>(?:[A-Z][\w'-]+\s)*?(?:Sea|Ocean|Pacific|Meer|mer|Japon|Japan)"
    r"(?:\s+of\s+Japan)?)|(?P<ja>日本海|黄海|太平洋)"
)
SITE = re.compile(
    r"\bfrom\s+(?:the\s+|near\s+)?(?P<site>(?:[A-Z][\w'-]+(?:'s)?\s)*?[A-Z][\w'-]+"
    r"(?:\s+(?:area|district|District|region|county|County|Province|airport))?"
    r"(?:\s+of\s+[A-Z][\w-]+)?)"
)
GENERIC_SITE_WORDS = {"Pyongyang", "Province", "Area", "North", "South", "East", "West", "Near"}

NUMBER_WORDS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "several": None, "multiple": None,
    "zwei": 2, "drei": 3, "vier": 4, "eine": 1, "einer": 1, "un": 1, "deux": 2, "trois": 3,
}  # fmt: skip
_QUALIFIER = r"(?:about|approximately|around|some|roughly|nearly|up to|more than|over|at least|an estimated|etwa|rund|ungefähr|environ|près de|約)?"  # noqa: E501
_KM = r"\s*(?:km|kilomet(?:er|re)s?|kilomètres|キロ(?:メートル)?)"
FIGURES = [
    (
        ClaimAttribute.DISTANCE,
        re.compile(
            r"(?:flew|flown|flying|travel+ed|travel+ing|covered|range of|distance of|flog|parcouru|飛翔距離は?)"  # noqa: E501
            rf"\s*(?:a distance of\s+|for\s+|sur\s+)?(?P<text>{_QUALIFIER}\s*(?P<n>\d[\d,.]*)(?:\s*(?:-|–|to|bis|à)\s*(?P<n2>\d[\d,.]*))?{_KM})",  # noqa: E501
            re.I,
        ),
    ),
    (
        ClaimAttribute.DISTANCE,
        re.compile(rf"(?P<text>約?(?P<n>\d[\d,]*)(?P<n2>){_KM})(?:程度)?(?:を)?飛翔"),
    ),
    (
        ClaimAttribute.APOGEE,
        re.compile(
            r"(?:altitude|apogee|height|Höhe|最高高度は?)\s*(?:of|de|von)?\s*"
            rf"(?P<text>{_QUALIFIER}\s*(?P<n>\d[\d,.]*)(?:\s*(?:-|–|to|bis|à)\s*(?P<n2>\d[\d,.]*))?{_KM})",
            re.I,
        ),
    ),
    (
        ClaimAttribute.FLIGHT_TIME,
        re.compile(
            rf"(?:flew|flight|flying|飛翔時間は?)\s*(?:for\s+|time of\s+)?(?P<text>{_QUALIFIER}\s*(?P<n>\d+)(?P<n2>)\s*(?:minutes|min\b|分))",  # noqa: E501
            re.I,
        ),
    ),
]
COUNT = re.compile(
    r"\b(?P<text>(?P<n>one|two|three|four|five|six|seven|eight|nine|ten|several|multiple|\d{1,2})"
    r"\s+(?:suspected\s+|more\s+|unidentified\s+)?(?:[\w-]+\s+){0,3}(?:ballistic\s+)?missiles?)\b"
    r"(?!\s+(?:tests?|launch\w*|programm?e?s?|technology))",
    re.I,
)
# Who states a figure: the usual reporting authorities, by name, and "according to ...".
CLAIMANTS = [
    ("JCS", re.compile(r"Joint Chiefs of Staff|\bJCS\b|合同参謀本部|Generalstab", re.I)),
    ("Japan MoD", re.compile(r"Japan(?:ese|'s)? (?:Ministry of Defen[cs]e|Defen[cs]e Ministry|Defen[cs]e Minist\w+)|防衛省|Ministry of Defen[cs]e", re.I)),  # noqa: E501
    ("KCNA", re.compile(r"\bKCNA\b|Korean Central News Agency|朝鮮中央通信", re.I)),
    ("INDOPACOM", re.compile(r"INDOPACOM|Indo-Pacific Command", re.I)),
    ("US DoD", re.compile(r"Pentagon|Department of Defense", re.I)),
    ("South Korean military", re.compile(r"South Korea(?:n|'s) military", re.I)),
]  # fmt: skip
ACCORDING_TO = re.compile(
    r"\b(?:according to|said|says|cited by|selon|laut|zufolge)\s+(?:the\s+|a\s+)?(?P<who>[A-Z][\w'.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'.-]*){0,5})"  # noqa: E501
)

# A date after these words dates an earlier launch, not this one: "its fourth since 25 May".
SINCE = re.compile(
    r"\b(?:since|after|following|seit|nach|depuis|après)\s+(?:the\s+)?\S*\s*$|以来$", re.I
)
EXACT_DAY, NEXT_DAY = 10.0, 5.0
IN_LAUNCH_SENTENCE, ELSEWHERE = 1.0, 0.4
# A statement with no launch date of its own reacts to a launch of the last days before it.
RECENT_DAYS = 7
MATCH_THRESHOLD = 5.0
MAX_DATES = 20
MAX_ALTERNATIVES = 5


@dataclass
class Facts:
    """What one sentence says of a launch."""

    start: int
    end: int
    text: str
    is_launch: bool
    dates: list = field(default_factory=list)
    times: list = field(default_factory=list)
    classes: list = field(default_factory=list)  # (MissileClass, words)
    names: list = field(default_factory=list)


def match_launch(article):
    """{"match": slug or None, "alternatives": [slug...], "proposed": {...} or None,
    "claims": [...]} — the claims are the figures the text states, matched or not."""
    reference = reference_date(article)
    facts = read_facts(article, reference)
    claims = find_claims(article)
    candidates = _candidates(facts, reference)
    ranked = sorted(
        ((score, launch) for launch in candidates if (score := _score(launch, facts, reference))),
        key=lambda pair: (-pair[0], pair[1].sort_at, pair[1].pk),
    )
    best = ranked[0] if ranked and ranked[0][0] >= MATCH_THRESHOLD else None
    others = [
        launch.slug for score, launch in ranked if score > 0 and not (best and launch == best[1])
    ]
    return {
        "match": best[1].slug if best else None,
        "alternatives": others[:MAX_ALTERNATIVES],
        "proposed": None if best else propose(facts, claims, reference),
        "claims": claims,
    }


def read_facts(article, reference):
    """The sentences that carry a date, time, missile type or name, with what they carry."""
    dates = find_dates(article.text, reference, article.language)
    times = find_times(article.text)
    found = []
    for sentence in article.sentences:
        text = plain(sentence.text)
        facts = Facts(sentence.start, sentence.end, text, bool(LAUNCH_WORDS.search(text)))
        facts.dates = [d for d in dates if sentence.start <= d.start < sentence.end and d.day]
        facts.times = [t for t in times if sentence.start <= t.start < sentence.end]
        facts.classes = missile_classes(text)
        facts.names = [m.group() for m in NAME.finditer(text)]
        if facts.dates or facts.times or facts.classes or facts.names:
            found.append(facts)
    return found


def missile_classes(text):
    """[(MissileClass, the words)] in text order, each phrase counted once."""
    found, taken = [], []
    for value, pattern in CLASS_PATTERNS:
        for match in pattern.finditer(text):
            if not any(match.start() < end and match.end() > start for start, end in taken):
                noun = MISSILE_NOUN.match(text, match.end())
                words = match.group() + (noun.group() if noun else "")
                found.append((match.start(), value, words))
                taken.append((match.start(), match.end() + len(words) - len(match.group())))
    return [(value, words) for _, value, words in sorted(found)]


def _candidates(facts, reference):
    """The launches on record within a day of any date the text names: one query."""
    windows = []
    one_day = datetime.timedelta(days=1)
    mentions = [d for f in facts for d in f.dates][:MAX_DATES]
    for mention in mentions:
        if mention.date:
            windows.append(Q(occurred_on__range=(mention.date - one_day, mention.date + one_day)))
        else:
            days = [mention.day - 1, mention.day, mention.day + 1]
            windows.append(Q(occurred_on__month=mention.month, occurred_on__day__in=days))
    if reference:
        since = reference - datetime.timedelta(days=RECENT_DAYS)
        windows.append(Q(occurred_on__range=(since, reference + one_day)))
    if not windows:
        return []
    return list(
        Launch.objects.filter(reduce(or_, windows)).only(
            "slug",
            "occurred_on",
            "occurred_at",
            "local_timezone",
            "sort_at",
            "missile_class",
            "missile_type_label",
            "missile_name",
            "launch_site",
            "direction",
        )
    )


def _score(launch, facts, reference):
    """How well the text fits `launch`; 0 when none of its dates is the launch's day and,
    for a text with no launch date, the launch is not of the days just before the text's."""
    best = 0.0
    first_launch_date = next((f.dates[0] for f in facts if f.is_launch and f.dates), None)
    for sentence in facts:
        for mention in sentence.dates:
            day = _day_score(launch, mention)
            if not day:
                continue
            weight = IN_LAUNCH_SENTENCE if sentence.is_launch else ELSEWHERE
            if mention is first_launch_date:
                weight += 0.2
            if SINCE.search(sentence.text[: mention.start - sentence.start]):
                weight *= 0.5
            local = _class_score(launch, sentence.classes) + _time_score(launch, sentence.times)
            best = max(best, day * weight + local)
    if reference and not first_launch_date:
        days_before = (reference - launch.occurred_on).days
        if -1 <= days_before <= RECENT_DAYS:
            best = max(best, 4.0 - 0.25 * max(days_before, 0))
    if not best:
        return 0.0
    launch_classes = [c for f in facts if f.is_launch for c in f.classes]
    names = [n for f in facts for n in f.names]
    return round(
        best
        + 0.5 * _class_score(launch, launch_classes)
        + _name_score(launch, names)
        + _place_score(launch, facts),
        2,
    )


def _day_score(launch, mention):
    if mention.date:
        apart = abs((launch.occurred_on - mention.date).days)
        return EXACT_DAY if apart == 0 else NEXT_DAY if apart == 1 else 0.0
    if launch.occurred_on.month == mention.month:
        apart = abs(launch.occurred_on.day - mention.day)
        # No year was written: a launch of that day in any year, the latest a little ahead.
        recency = (launch.occurred_on.year - 2000) / 100
        return (EXACT_DAY if apart == 0 else NEXT_DAY if apart == 1 else 0.0) * 0.8 + recency
    return 0.0


def _class_score(launch, classes):
    """+4 when the text names the launch's class, +2 a neighbour, -2 only other classes."""
    if not classes:
        return 0.0
    label = f"{launch.missile_type_label} {launch.missile_name}"
    best = -2.0 if launch.missile_class != MissileClass.UNKNOWN else 0.0
    for value, _words in classes:
        if value == launch.missile_class or LABEL_PATTERNS[value].search(label):
            return 4.0
        if frozenset({value, launch.missile_class}) in NEIGHBOURS:
            best = 2.0
    return best


def _time_score(launch, times):
    """+4 for a time within a quarter of an hour of the launch's, -2 for one far from it."""
    if not times or not launch.occurred_at:
        return 0.0
    local = launch.occurred_at.astimezone(launch.zone)
    minutes = local.hour * 60 + local.minute
    apart = min(min(abs(t.minutes - minutes), 1440 - abs(t.minutes - minutes)) for t in times)
    if apart <= 15:
        return 4.0
    if apart <= 45:
        return 2.5
    if apart <= 120:
        return 1.0
    return -2.0


def _name_score(launch, names):
    label = f"{launch.missile_name} {launch.missile_type_label}".lower().replace(" ", "")
    return 3.0 if any(name.lower().replace(" ", "") in label for name in names) else 0.0


def _place_score(launch, facts):
    text = " ".join(f.text for f in facts if f.is_launch)
    words = set(re.findall(r"[A-Z][\w-]{3,}", launch.launch_site)) - GENERIC_SITE_WORDS
    score = 1.5 if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words) else 0.0
    for pattern in SEAS.values():
        if pattern.search(launch.direction) and pattern.search(text):
            score += 0.5
    return score


def find_claims(article):
    """The figures the text states, each with its claimant and the sentence it came from."""
    claims = []
    sentences = article.sentences
    for index, sentence in enumerate(sentences):
        text = plain(sentence.text)
        found = _figures(text)
        if not found:
            continue
        claimant = _claimant(text) or (_claimant(plain(sentences[index - 1].text)) if index else "")
        for attribute, value_text, value in found:
            claims.append(
                {
                    "attribute": attribute,
                    "value_text": value_text,
                    "value": value,
                    "claimant": claimant,
                    "evidence": sentence.text,
                }
            )
    return claims


def _figures(text):
    found = []
    for attribute, pattern in FIGURES:
        for match in pattern.finditer(text):
            found.append((attribute.value, match["text"].strip(), _number(match["n"])))
    # A count, type or name is a claim when someone is named as stating it in the sentence.
    if LAUNCH_WORDS.search(text) and _claimant(text):
        for match in COUNT.finditer(text):
            word = match["n"].lower()
            value = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
            found.append((ClaimAttribute.COUNT.value, match["text"], value))
        for _value, words in missile_classes(text)[:1]:
            found.append((ClaimAttribute.TYPE.value, words, None))
        for match in NAME.finditer(text):
            found.append((ClaimAttribute.NAME.value, match.group(), None))
    return found


def _number(text):
    cleaned = text.replace(",", "").rstrip(".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _claimant(text):
    for name, pattern in CLAIMANTS:
        if pattern.search(text):
            return name
    match = ACCORDING_TO.search(text)
    return match["who"].strip() if match else ""


def propose(facts, claims, reference):
    """A draft launch from what the text says: its day, time, class, type as written, site."""
    launch_facts = [f for f in facts if f.is_launch] or facts
    dated = next((f for f in launch_facts if f.dates), None)
    day = dated.dates[0].date if dated else reference
    time = next((t for f in launch_facts for t in f.times), None)
    classes = [c for f in launch_facts for c in f.classes]
    text = " ".join(f.text for f in launch_facts)
    site = SITE.search(text)
    direction = DIRECTION.search(text)
    occurred_at = None
    if day and time and not time.approximate:
        local = datetime.datetime.combine(day, datetime.time(time.minutes // 60, time.minutes % 60))
        occurred_at = local.replace(tzinfo=KST).isoformat()
    return {
        "occurred_on": day.isoformat() if day else None,
        "occurred_at": occurred_at,
        "time_note": time.text if time and time.approximate else "",
        "missile_class": classes[0][0].value if classes else MissileClass.UNKNOWN.value,
        "missile_type_label": classes[0][1] if classes else "",
        "launch_site": site["site"] if site else "",
        "direction": (direction["place"] or direction["ja"]) if direction else "",
        "claims": claims,
    }

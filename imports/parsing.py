"""Reading the messy cells of real chronologies: figures with claimants, counts, times, types.

Every parser keeps the text it was given. What has structure becomes numbers; what has
none stays verbatim, and the caller reports it as kept as text.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pycountry

from timeline.models import LaunchCategory, LaunchClaim, MissileClass, Outcome

# Claimants whose word is the launching state's own; their figures are kept as claims
# but are not preferred as the launch's best value.
LAUNCHING_STATE_MEDIA = {"KCNA", "DPRK", "KPA", "RODONG SINMUN", "KCTV"}

KNOWN_CLAIMANTS = re.compile(
    r"^(JCS|Japan(?: MoD| CG| Coast Guard)?|KCNA|DPRK|CNS|nagix|US(?: DoD)?|U\.S\.|ROK|UN|"
    r"INDOPACOM|US DoD|South Korea|Statista|AJP|38 North|NK News|TASS|Yonhap|CSIS|KPA)",
    re.IGNORECASE,
)

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_QUALIFIED = re.compile(
    r"^(?P<qual>~|≈|<|>|about|approximately|approx\.|around|at least|over|more than|up to|under)?"
    r"\s*"
    rf"(?P<low>{NUMBER})"
    rf"(?:\s*(?:-|\u2013|to|and)\s*(?P<high>{NUMBER}))?"
    rf"\s*(?:km|min|minutes|missiles?)?$",
    re.IGNORECASE,
)
_BETWEEN = re.compile(
    rf"^between\s+(?P<low>{NUMBER})\s+and\s+(?P<high>{NUMBER})\s*(?:km|min)?$", re.IGNORECASE
)
_TIME = re.compile(
    r"^(?P<approx>~)?(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<half>[AP]\.?M\.?)?"
    r"(?:\s*-\s*\d{1,2}:\d{2})?$",
    re.IGNORECASE,
)


@dataclass
class Claim:
    value_text: str
    value: Decimal | None = None
    value_max: Decimal | None = None
    claimant: str = ""
    note: str = ""
    qualifier: str = ""

    def to_model(self, attribute, **fields):
        """This claim as an unsaved LaunchClaim of `attribute`."""
        return LaunchClaim(
            attribute=attribute,
            value_text=self.value_text,
            value=self.value,
            value_max=self.value_max,
            claimant=self.claimant,
            note=self.note,
            **fields,
        )

    @property
    def best(self):
        if self.qualifier in {"<", "under"}:
            return None
        return self.value_max if self.value_max is not None else self.value

    @property
    def from_launching_state(self):
        parts = [p.strip().upper() for p in re.split(r"[/,]", self.claimant) if p.strip()]
        return bool(parts) and all(p in LAUNCHING_STATE_MEDIA for p in parts)


@dataclass
class Figures:
    """A parsed figure cell: its claims, the best value, and whether any text had no number."""

    text: str
    claims: list[Claim] = field(default_factory=list)

    @property
    def best(self):
        numbered = [c for c in self.claims if c.best is not None]
        preferred = [c for c in numbered if not c.from_launching_state]
        chosen = (preferred or numbered or [None])[0]
        return chosen.best if chosen else None

    @property
    def plain(self):
        """True when the cell is one bare number: no claimant, no note, no qualifier."""
        if len(self.claims) != 1:
            return False
        claim = self.claims[0]
        return (
            claim.value is not None
            and claim.value_max is None
            and claim.value_text == self.text
            and not (claim.qualifier or claim.claimant or claim.note)
        )

    @property
    def has_text(self):
        """True when some part of the cell could not be read as a number."""
        return any((c.value is None and c.value_max is None) or c.note for c in self.claims)


def _number(text):
    return Decimal(text.replace(",", "")) if text else None


def split_top_level(text, separator=";"):
    """Split on `separator` outside parentheses: "1800 (KCNA; 153 min); 500" → two parts."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _split_value_and_paren(piece):
    match = re.match(r"^(?P<value>[^(]*?)\s*\((?P<paren>.*)\)\s*(?P<rest>.*)$", piece)
    if not match:
        return piece.strip(), "", ""
    return match["value"].strip(), match["paren"].strip(), match["rest"].strip()


def _claimant_and_note(paren):
    """ "Japan MoD, ballistic assumption" → ("Japan MoD", "ballistic assumption")."""
    if not paren:
        return "", ""
    head, *tail = re.split(r"[,:;]", paren, maxsplit=1)
    cleaned = re.sub(
        r"\b(claims?|prelim|preliminary|initial|estimate|per|assessment)\b", "", head, flags=re.I
    )
    cleaned = " ".join(cleaned.split()).strip(" .")
    if not cleaned or not KNOWN_CLAIMANTS.match(cleaned):
        return "", paren
    # Words such as "claim" or "prelim" stay in the claim's verbatim text, not in its note.
    return cleaned, "; ".join(part.strip() for part in tail if part.strip())


def parse_figure(text):
    """Parse a figure cell such as "~700 (JCS); 450 (nagix prelim)" into claims."""
    text = (text or "").strip()
    figures = Figures(text=text)
    for piece in split_top_level(text):
        value_part, paren, rest = _split_value_and_paren(piece)
        claimant, note = _claimant_and_note(paren)
        if rest:
            note = f"{note}; {rest}" if note else rest
        claim = Claim(value_text=piece, claimant=claimant, note=note)
        if re.match(r"^[-\u2212]\s*\d", value_part):
            raise ValueError(f"{piece!r} is negative; figures cannot be below zero")
        # "700 (DPRK claim)" or "600 (JCS)"; a claimant before a colon: "KCNA: 10,234 s".
        match = _QUALIFIED.match(value_part) or _BETWEEN.match(value_part)
        if match:
            low, high = _number(match["low"]), _number(match["high"])
            qualifier = (match.groupdict().get("qual") or "").lower()
            if qualifier in {"<", "under", "up to"}:
                claim.value, claim.value_max = None, low
            else:
                claim.value = low
                if high is not None:
                    claim.value, claim.value_max = min(low, high), max(low, high)
            claim.qualifier = qualifier
        figures.claims.append(claim)
    return figures


def parse_count(text):
    """A missile count cell: "2", "several (JCS); 2 (nagix)", "at least 7 (Japan MoD)"."""
    figures = parse_figure(text)
    for claim in figures.claims:
        for number in (claim.value, claim.value_max):
            if number is not None and number != int(number):
                raise ValueError(
                    f"a missile count must be a whole number, not {claim.value_text!r}"
                )
    best = figures.best
    if best is not None and best < 1:
        raise ValueError(f"a missile count must be at least 1, not {text!r}")
    return figures


@dataclass
class ParsedTime:
    time: datetime.time | None
    note: str


def parse_time(text):
    """ "08:10", "23:10:00" and "10:34:00 PM" are exact; "~12:00" and "08:10-09:20" keep a
    note; "" is day only."""
    text = (text or "").strip()
    if not text:
        return ParsedTime(None, "")
    match = _TIME.match(text)
    if not match:
        if re.search(r"\d{1,2}:\d{2}", text):
            raise ValueError(f"{text!r} is not a time of day (HH:MM or H:MM:SS AM/PM)")
        return ParsedTime(None, text)
    try:
        value = _clock(int(match["h"]), int(match["m"]), int(match["s"] or 0), match["half"])
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day (HH:MM or H:MM:SS AM/PM)") from None
    plain = not match["approx"] and "-" not in text
    return ParsedTime(value, "" if plain else text)


def _clock(hour, minute, second, half):
    """A time of day from a 24-hour or a 12-hour clock (half is AM or PM)."""
    if half:
        if not 1 <= hour <= 12:
            raise ValueError("a 12-hour clock runs from 1 to 12")
        hour = hour % 12 + (12 if half.upper().startswith("P") else 0)
    return datetime.time(hour, minute, second)


def parse_date(text):
    """ISO dates, plus the spreadsheet forms 1/5/2022 and 5-Jan-22."""
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%d-%b-%y", "%d-%b-%Y", "%B %d, %Y", "%d %B %Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)")


_MONTH_FORMATS = ("%b-%y", "%b-%Y", "%B %Y", "%b %Y")


def parse_partial_date(text):
    """A date that may be only a month ("2025-06", "Sep-84") or a year: (date, precision).

    A month or a year is returned as its first day; the precision says it is no more.
    """
    text = (text or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        try:
            return datetime.date(int(text[:4]), int(text[5:]), 1), "month"
        except ValueError:
            pass
    elif re.fullmatch(r"\d{4}", text):
        return datetime.date(int(text), 1, 1), "year"
    for fmt in _MONTH_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date(), "month"  # noqa: DTZ007
        except ValueError:
            continue
    return parse_date(text), "day"


CATEGORY_WORDS = {
    "ballistic": LaunchCategory.BALLISTIC,
    "cruise": LaunchCategory.CRUISE,
    "space launch": LaunchCategory.SPACE,
    "space": LaunchCategory.SPACE,
    "rocket artillery": LaunchCategory.ARTILLERY,
    "artillery": LaunchCategory.ARTILLERY,
    "mixed": LaunchCategory.MIXED,
    "other": LaunchCategory.OTHER,
}


def parse_category(text):
    """ "ballistic", "cruise + SAM (ship-launched)" → the category of its main weapon."""
    head = re.split(r"[+(]", (text or "").strip().lower())[0].strip()
    if head in CATEGORY_WORDS:
        return CATEGORY_WORDS[head]
    choices = ", ".join(sorted({k for k in CATEGORY_WORDS if " " not in k}))
    raise ValueError(f"unknown category {text!r}; expected one of {choices}")


_CLASS_TOKEN = re.compile(r"\b(CRBM|SRBM|MRBM|IRBM|ICBM|SLBM)\b")


def parse_missile_class(type_text, category=None):
    """The missile class named first in a type label: "SRBM (JCS); CNS: SLBM-variant" → SRBM."""
    text = type_text or ""
    match = _CLASS_TOKEN.search(text)
    if match:
        return MissileClass(match[1])
    lowered = text.lower()
    if "glide" in lowered:
        return MissileClass.HGV
    if re.search(r"\bslv\b|satellite", lowered) or category == LaunchCategory.SPACE:
        return MissileClass.SLV
    if (
        re.search(r"\bmrl\b|rocket launcher|artillery", lowered)
        or category == LaunchCategory.ARTILLERY
    ):
        return MissileClass.ARTILLERY
    if re.search(r"cruise|\bslcm\b", lowered) or category == LaunchCategory.CRUISE:
        return MissileClass.CRUISE
    return MissileClass.UNKNOWN


def parse_outcome(text):
    """Returns (outcome, note): the note is the verbatim cell whenever it says more than a word."""
    raw = (text or "").strip()
    lowered = raw.lower()
    if lowered in {"", "unknown"}:
        return Outcome.UNKNOWN, ""
    if re.search(r"success", lowered) and re.search(r"fail", lowered):
        outcome = Outcome.PARTIAL if re.match(r"^\d", lowered) else Outcome.UNKNOWN
    elif lowered.startswith("success"):
        outcome = Outcome.SUCCESS
    elif lowered.startswith(("failure", "failed")):
        outcome = Outcome.FAILURE
    elif lowered.startswith("partial"):
        outcome = Outcome.PARTIAL
    else:
        outcome = Outcome.UNKNOWN
    return outcome, "" if lowered == outcome.value else raw


# Names the data uses for states and bodies, beyond what ISO 3166 itself spells.
ACTOR_ALIASES = {
    "us": "US",
    "u.s.": "US",
    "usa": "US",
    "united states": "US",
    "rok": "KR",
    "south korea": "KR",
    "dprk": "KP",
    "north korea": "KP",
    "russia": "RU",
    "china": "CN",
    "uk": "GB",
    "united kingdom": "GB",
    "japan coast guard": "JP",
    "un": "UN",
    "united nations": "UN",
    "un security council": "UNSC",
    "unsc": "UNSC",
    "apec": "APEC",
    "eu": "EU",
    "european union": "EU",
    "nato": "NATO",
    "g7": "G7",
    "asean": "ASEAN",
    "iaea": "IAEA",
    "african union": "AFRICANUNION",
}


def resolve_actor_code(name):
    """The actor code for a name as written in the data, or None when it names no one actor."""
    base = re.sub(r"\s*\(.*\)\s*$", "", name or "").strip()
    if not base:
        return None
    alias = ACTOR_ALIASES.get(base.lower())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(base).alpha_2
    except LookupError:
        return None

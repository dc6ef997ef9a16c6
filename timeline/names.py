"""What readers call a state, from its ISO 3166-1 code: the one table every page, feed and
file asks, so that a state has one name across the site ("Russia", never "Russian
Federation" on one page and "Russia" on another).

The short names are pycountry's common names, where it has one, with the few it lacks; the
actors created by the first migration carry the same short names (a test holds the two
together). The official name is shown beside the short one where they differ: "North Korea
(Democratic People's Republic of Korea)".
"""

import re

import pycountry

# Common names pycountry does not give: its `common_name` is missing for these states.
COMMON_NAMES = {"RU": "Russia", "KR": "South Korea", "LA": "Laos", "SY": "Syria"}
# Official names pycountry does not give in the order readers know them.
OFFICIAL_NAMES = {
    "KR": "Republic of Korea",
    "LA": "Lao People's Democratic Republic",
    "TW": "Taiwan",
}
# Claimants recorded under an abbreviation or an internal label, as readers should see them.
CLAIMANT_NAMES = {"nagix": "preliminary", "DPRK": "North Korea", "ROK": "South Korea"}
# A missile class as running text names it ("the SRBM launch of 22 Oct"): the stored value
# is a code for the ballistic classes readers know by their initials, and not for the rest.
CLASS_WORDS = {
    "cruise": "cruise missile",
    "hypersonic_glide": "hypersonic glide vehicle",
    "slv": "satellite",
    "artillery_rocket": "artillery rocket",
    "unknown": "unidentified",
}
INTERNAL_LABEL = re.compile(r"\bnagix\b(?: prelim(?:inary)?)?", re.IGNORECASE)


def state_name(code):
    """The name readers use for the state with this ISO code; the code itself when no state
    has it, so that nothing is hidden."""
    if code in COMMON_NAMES:
        return COMMON_NAMES[code]
    country = pycountry.countries.get(alpha_2=code or "")
    if country is None:
        return code or ""
    return getattr(country, "common_name", None) or country.name


def official_name(code):
    """The state's official name when it differs from its short name, else ""."""
    country = pycountry.countries.get(alpha_2=code or "")
    if country is None:
        return ""
    name = OFFICIAL_NAMES.get(code) or getattr(country, "official_name", None) or country.name
    return "" if name == state_name(code) else name


def claimant_name(claimant):
    """Who made a claim, by the name readers know: a state's code becomes its name, an
    internal label the word for what it is."""
    if claimant in CLAIMANT_NAMES:
        return CLAIMANT_NAMES[claimant]
    if len(claimant) == 2 and claimant.isupper():
        return state_name(claimant)
    return claimant


def without_internal_labels(text):
    """Text with the compilers' internal labels ("nagix prelim") replaced by what they
    mean: a preliminary figure."""
    return INTERNAL_LABEL.sub("preliminary", text)


def class_words(missile_class):
    """A missile class for running text: "SRBM", "cruise missile", "satellite"."""
    return CLASS_WORDS.get(missile_class, missile_class)

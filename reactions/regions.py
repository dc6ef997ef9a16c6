"""The regions the actor index groups states by: the United Nations' M49 geographic regions,
with Asia split into its subregions (where launches are watched most closely) and
organisations as a group of their own.

States are named by their ISO 3166-1 alpha-2 code, as actors are. Antarctica belongs to no
M49 region, and so to none here.
"""

from .models import ActorKind

ORGANISATIONS = "organisations"

# slug: (label, the states in it)
REGIONS = {
    "east-asia": ("East Asia", "CN HK JP KP KR MN MO TW"),
    "southeast-asia": ("Southeast Asia", "BN ID KH LA MM MY PH SG TH TL VN"),
    "south-asia": ("South Asia", "AF BD BT IN IR LK MV NP PK"),
    "central-asia": ("Central Asia", "KG KZ TJ TM UZ"),
    "western-asia": (
        "Western Asia",
        "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",
    ),
    "europe": (
        "Europe",
        "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE "
        "LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA",
    ),
    "africa": (
        "Africa",
        "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW IO KE KM LR LS "
        "LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN TZ UG "
        "YT ZA ZM ZW",
    ),
    "northern-america": ("Northern America", "BM CA GL PM US"),
    "latin-america": (
        "Latin America and the Caribbean",
        "AG AI AR AW BB BL BO BQ BR BS BV BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN "
        "HT JM KN KY LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI",
    ),
    "oceania": (
        "Oceania",
        "AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS",
    ),
}

REGION_CHOICES = [
    *((slug, label) for slug, (label, _) in REGIONS.items()),
    (ORGANISATIONS, "Organisations"),
]
REGION_LABELS = dict(REGION_CHOICES)


def states_in(region):
    """The ISO codes of the states in a region (a key of REGIONS)."""
    return REGIONS[region][1].split()


REGION_OF_STATE = {code: slug for slug in REGIONS for code in states_in(slug)}


def region_of(actor):
    """The slug of the group an actor is listed under; None for a state in no region."""
    if actor.kind == ActorKind.ORGANISATION:
        return ORGANISATIONS
    return REGION_OF_STATE.get(actor.code)

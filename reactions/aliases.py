"""The other names a reader searches an actor by: what its people are called, its capital and
the seat of its government ("Kremlin" for Russia, "Seoul" for South Korea). The actors' own
names are in the database; these are the names no record holds."""

from django.db.models import Q

OTHER_NAMES = {
    "AE": ("Emirati", "Abu Dhabi"),
    "AU": ("Australian", "Canberra"),
    "BR": ("Brazilian", "Brasília", "Brasilia"),
    "BY": ("Belarusian", "Minsk"),
    "CA": ("Canadian", "Ottawa"),
    "CH": ("Swiss", "Bern"),
    "CN": ("Chinese", "Beijing", "Zhongnanhai", "PRC"),
    "CU": ("Cuban", "Havana"),
    "DE": ("German", "Berlin", "Bundestag"),
    "DK": ("Danish", "Copenhagen"),
    "EG": ("Egyptian", "Cairo"),
    "ES": ("Spanish", "Madrid"),
    "EU": ("European", "Brussels"),
    "FI": ("Finnish", "Helsinki"),
    "FR": ("French", "Paris", "Élysée", "Elysee", "Quai d'Orsay"),
    "GB": ("British", "London", "Downing Street", "Whitehall", "UK"),
    "ID": ("Indonesian", "Jakarta"),
    "IL": ("Israeli", "Jerusalem"),
    "IN": ("Indian", "New Delhi"),
    "IR": ("Iranian", "Tehran"),
    "IT": ("Italian", "Rome"),
    "JP": ("Japanese", "Tokyo", "Kantei"),
    "KP": ("North Korean", "Pyongyang", "DPRK"),
    "KR": ("South Korean", "Seoul", "Yongsan", "Blue House", "ROK"),
    "LA": ("Lao", "Laotian", "Vientiane"),
    "MN": ("Mongolian", "Ulaanbaatar"),
    "MX": ("Mexican", "Mexico City"),
    "MY": ("Malaysian", "Kuala Lumpur"),
    "NL": ("Dutch", "Amsterdam"),
    "NO": ("Norwegian", "Oslo"),
    "NZ": ("New Zealander", "Wellington"),
    "PH": ("Filipino", "Philippine", "Manila"),
    "PK": ("Pakistani", "Islamabad"),
    "PL": ("Polish", "Warsaw"),
    "RU": ("Russian", "Moscow", "Kremlin"),
    "SA": ("Saudi", "Riyadh"),
    "SE": ("Swedish", "Stockholm"),
    "SG": ("Singaporean",),
    "SY": ("Syrian", "Damascus"),
    "TH": ("Thai", "Bangkok"),
    "TR": ("Turkish", "Turkey", "Ankara"),
    "TW": ("Taiwanese", "Taipei"),
    "UA": ("Ukrainian", "Kyiv", "Kiev"),
    "US": ("American", "Washington", "White House", "Pentagon", "State Department", "USA"),
    "VN": ("Vietnamese", "Hanoi"),
    "ZA": ("South African", "Pretoria"),
}


def codes_named(term):
    """The codes of the actors one of whose other names holds `term` (core.search's rule)."""
    return sorted(code for code, names in OTHER_NAMES.items() if any(map(term.found_in, names)))


def by_other_names(field):
    """A way for a search term to match a row whose actor, at `field`, it names otherly."""

    def condition(term):
        codes = codes_named(term)
        return Q(**{f"{field}__in": codes}) if codes else Q(pk__in=[])

    return condition

"""Who a phrase names: the actor codes behind names, demonyms, capitals, seats and offices.

The gazetteer is data: ISO 3166-1 names from pycountry in English, German, French and
Japanese, plus a compact hand table of what pycountry does not know (demonyms, capitals and
seats used as metonyms, ministries and offices, organisations and their officers). Codes are
those of the Actor table: ISO alpha-2 for states, short codes for organisations.
"""

import gettext
import re
from functools import cache
from typing import NamedTuple
from urllib.parse import urlsplit

import pycountry

# code: aliases separated by "|". Names are matched case-sensitively and as whole words
# (Latin script); an inflection ending (German genitive, plural, demonym "-n") may follow.
# An empty code shadows a longer phrase that names no actor ("National Security Council").
ALIASES = {
    "US": "U.S.|US|USA|U.S.A.|United States|America|American|Americans|Washington|"
    "White House|State Department|Department of State|Secretary of State|Pentagon|"
    "U.S. Indo-Pacific Command|Indo-Pacific Command|INDOPACOM|USINDOPACOM|U.S. Forces Korea|USFK|"
    "Vereinigte Staaten|Vereinigten Staaten|amerikanisch|US-Regierung|États-Unis|"
    "Etats-Unis|américain|américaine|米国|アメリカ|米政府|米国務省",
    "KR": "South Korea|South Korean|Republic of Korea|ROK|Seoul|Office of National Security|"
    "Joint Chiefs of Staff|JCS|Blue House|Südkorea|südkoreanisch|Corée du Sud|sud-coréen|"
    "sud-coréenne|韓国|大韓民国|韓国政府",
    "KP": "North Korea|North Korean|DPRK|Democratic People's Republic of Korea|Pyongyang|KCNA|"
    "Korean Central News Agency|Nordkorea|nordkoreanisch|Corée du Nord|nord-coréen|"
    "nord-coréenne|RPDC|République populaire démocratique de Corée|北朝鮮|朝鮮民主主義人民共和国",
    "JP": "Japan|Japanese|Tokyo|Ministry of Foreign Affairs of Japan|Kantei|"
    "Chief Cabinet Secretary|Japon|japonais|japonaise|日本|我が国|日本政府|外務省|外務大臣|"
    "官房長官|防衛省|内閣総理大臣|外務報道官",
    "CN": "China|Chinese|Beijing|People's Republic of China|PRC|Chine|chinois|chinoise|中国|"
    "中華人民共和国|中国外交部",
    "TW": "Taiwan|Taiwanese|Republic of China|Republic of China (Taiwan)|Taipei|台湾",
    "RU": "Russia|Russian|Russian Federation|Moscow|Kremlin|Russland|russisch|Kreml|Russie|"
    "russe|ロシア",
    "GB": "UK|U.K.|United Kingdom|Britain|British|London|FCDO|Foreign Office|"
    "Foreign, Commonwealth & Development Office|Foreign, Commonwealth and Development Office|"
    "Downing Street|Großbritannien|britisch|Royaume-Uni|britannique|英国|イギリス",
    "DE": "Germany|German|Berlin|Federal Foreign Office|Auswärtiges Amt|Auswärtigen Amts|"
    "Auswärtigen Amtes|Auswärtige Amt|Bundesregierung|Bundesaußenministerin|"
    "Bundesaußenminister|Deutschland|deutsch|Allemagne|allemand|allemande|ドイツ",
    "FR": "France|French|Paris|Quai d'Orsay|Élysée|Elysée|Frankreich|französisch|française|"
    "français|フランス",
    "AU": "Australia|Australian|Canberra",
    "CA": "Canada|Canadian|Ottawa",
    "NZ": "New Zealand|Wellington",
    "IN": "India|Indian|New Delhi",
    "IT": "Italy|Italian|Rome|Italien|Italie|italien",
    "ES": "Spain|Spanish|Madrid",
    "NL": "Netherlands|Dutch|The Hague",
    "CH": "Switzerland|Swiss|Bern",
    "SE": "Sweden|Swedish|Stockholm",
    "NO": "Norway|Norwegian|Oslo",
    "FI": "Finland|Finnish|Helsinki",
    "DK": "Denmark|Danish|Copenhagen",
    "PL": "Poland|Polish|Warsaw",
    "UA": "Ukraine|Ukrainian|Kyiv|Kiev",
    "IR": "Iran|Iranian|Tehran",
    "IL": "Israel|Israeli",
    "TR": "Turkey|Türkiye|Turkish|Ankara",
    "BR": "Brazil|Brazilian|Brasília",
    "MX": "Mexico|Mexican|Mexico City",
    "PH": "Philippines|Philippine|Filipino|Manila",
    "VN": "Vietnam|Vietnamese|Hanoi",
    "ID": "Indonesia|Indonesian|Jakarta",
    "MY": "Malaysia|Malaysian|Kuala Lumpur",
    "SG": "Singapore|Singaporean",
    "TH": "Thailand|Thai|Bangkok",
    "MN": "Mongolia|Mongolian|Ulaanbaatar",
    "BE": "Belgium|Belgian",
    "AT": "Austria|Austrian|Vienna",
    "CZ": "Czech Republic|Czechia|Czech|Prague",
    "SK": "Slovakia|Slovak",
    "GR": "Greece|Greek|Athens",
    "PT": "Portugal|Portuguese|Lisbon",
    "IE": "Ireland|Irish|Dublin",
    "SY": "Syria|Syrian|Damascus",
    "PK": "Pakistan|Pakistani|Islamabad",
    "SA": "Saudi Arabia|Saudi|Riyadh",
    "EG": "Egypt|Egyptian|Cairo",
    "ZA": "South Africa|South African|Pretoria",
    "DZ": "Algeria|Algerian|Algiers",
    "EC": "Ecuador|Ecuadorian",
    "GY": "Guyana|Guyanese",
    "MT": "Malta|Maltese",
    "MZ": "Mozambique|Mozambican",
    "SL": "Sierra Leone|Sierra Leonean",
    "SI": "Slovenia|Slovenian",
    "UN": "United Nations|UN|U.N.|Secretary-General|UN Secretary-General|"
    "Assistant Secretary-General|"
    "Under-Secretary-General|Spokesperson for the Secretary-General|"
    "Spokesman for the Secretary-General|High Representative for Disarmament Affairs|"
    "United Nations official|UN official|Guterres|Vereinte Nationen|Vereinten Nationen|"
    "UN-Generalsekretär|Generalsekretär|Nations unies|ONU|Secrétaire général|"
    "secrétaire général|国連|国際連合|国連事務総長|事務総長",
    "UNSC": "Security Council|UN Security Council|United Nations Security Council|UNSC|"
    "Sicherheitsrat|UN-Sicherheitsrat|Conseil de sécurité|安保理|国連安保理|安全保障理事会",
    "EU": "European Union|EU|High Representative|EU spokesperson|EU Spokesperson|EEAS|"
    "European External Action Service|Brussels|Europäische Union|Europäischen Union|"
    "Union européenne|UE|欧州連合",
    "NATO": "NATO|North Atlantic Treaty Organization|NATO Allies|North Atlantic Council|OTAN|"
    "北大西洋条約機構",
    "G7": "G7|G-7|Group of Seven|G7 Foreign Ministers",
    "ASEAN": "ASEAN",
    "IAEA": "IAEA|International Atomic Energy Agency",
    "": "National Security Council|Japan Sea|Sea of Japan|East Sea|Korean Peninsula|"
    "Security Council resolution|Security Council resolutions|Council resolutions|"
    "Japan-U.S. Alliance|Japan-U.S.|Japan-U.S.-ROK|U.S.-ROK|Japan-ROK|Japan-U.S.-Republic of Korea|"
    "UN Security Council resolutions|UN Security Council Resolutions|"
    "United Nations Security Council Resolutions|United Nations Security Council resolutions|"
    "Sicherheitsrats der Vereinten Nationen|Resolutionen des Sicherheitsrats",
}

# pycountry names that are common words or first names more often than states.
AMBIGUOUS_NAMES = {"Jersey", "Chad", "Jordan", "Guernsey", "Réunion", "Maurice", "Man", "Niger"}

# Official web hosts: the actor that publishes there (None for a news agency), and the
# publisher's name, which the desk also proposes for the source.
HOSTS = {
    "mofa.go.jp": ("JP", "Ministry of Foreign Affairs of Japan"),
    "kantei.go.jp": ("JP", "Prime Minister's Office of Japan"),
    "mod.go.jp": ("JP", "Ministry of Defense of Japan"),
    "mofa.gov.tw": ("TW", "Ministry of Foreign Affairs, Republic of China (Taiwan)"),
    "auswaertiges-amt.de": ("DE", "Auswärtiges Amt"),
    "diplomatie.gouv.fr": ("FR", "Ministère de l'Europe et des Affaires étrangères"),
    "elysee.fr": ("FR", "Élysée"),
    "gov.uk": ("GB", "GOV.UK"),
    "state.gov": ("US", "U.S. Department of State"),
    "whitehouse.gov": ("US", "The White House"),
    "defense.gov": ("US", "U.S. Department of Defense"),
    "mil": ("US", "U.S. armed forces"),
    "mofa.go.kr": ("KR", "Ministry of Foreign Affairs, Republic of Korea"),
    "fmprc.gov.cn": ("CN", "Ministry of Foreign Affairs of the People's Republic of China"),
    "mfa.gov.cn": ("CN", "Ministry of Foreign Affairs of the People's Republic of China"),
    "china-mission.gov.cn": ("CN", "Permanent Mission of China to the UN"),
    "mid.ru": ("RU", "Ministry of Foreign Affairs of the Russian Federation"),
    "kremlin.ru": ("RU", "President of Russia"),
    "un.org": ("UN", "United Nations"),
    "unric.org": ("UN", "United Nations Regional Information Centre"),
    "nato.int": ("NATO", "NATO"),
    "europa.eu": ("EU", "European Union"),
    "iaea.org": ("IAEA", "IAEA"),
    "pacom.mil": ("US", "U.S. Indo-Pacific Command"),
    "bundesregierung.de": ("DE", "Die Bundesregierung"),
    "esteri.it": ("IT", "Ministero degli Affari Esteri"),
    "international.gc.ca": ("CA", "Global Affairs Canada"),
    "dfat.gov.au": ("AU", "Department of Foreign Affairs and Trade (Australia)"),
    "mfat.govt.nz": ("NZ", "Ministry of Foreign Affairs and Trade (New Zealand)"),
    "dfa.gov.ph": ("PH", "Department of Foreign Affairs (Philippines)"),
    "mea.gov.in": ("IN", "Ministry of External Affairs (India)"),
    "press.un.org": ("UN", "United Nations, Meetings Coverage and Press Releases"),
    "news.un.org": ("UN", "UN News"),
    "eeas.europa.eu": ("EU", "European External Action Service"),
    "consilium.europa.eu": ("EU", "Council of the European Union"),
    "asean.org": ("ASEAN", "ASEAN"),
    # News agencies publish reports, not the reactions in them: no actor speaks there.
    "yna.co.kr": (None, "Yonhap News Agency"),
    "kcna.kp": (None, "KCNA"),
}
# Second-level labels that mark a government host under a country-code domain (gov.au, go.kr).
GOVERNMENT_LABELS = {"gov", "go", "gouv", "gob", "govt", "government"}
# Country-code domains that differ from the ISO code.
CCTLD_EXCEPTIONS = {"uk": "GB"}


class Mention(NamedTuple):
    start: int
    end: int
    code: str
    text: str


def _pycountry_names():
    """(code, name) for every state, in English and as pycountry translates it."""
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        for language in ("de", "fr", "ja")
    ]
    for country in pycountry.countries:
        english = {country.name, getattr(country, "common_name", None)}
        english.add(getattr(country, "official_name", None))
        names = set(english)
        for translation in translations:
            names |= {translation.gettext(name) for name in english if name}
        for name in filter(None, names):
            # "大韓民国 (韓国)" carries two names; "Korea, Republic of" is an index form.
            for part in re.split(r"\s*[()（）]\s*", name):
                if part and "," not in part and part not in AMBIGUOUS_NAMES:
                    yield country.alpha_2, part


# Words, "U.S"-like abbreviations, a possessive or elided part ("'s", "'Orsay"), and the
# punctuation some names carry; a CJK run is matched character by character.
TOKEN = re.compile(r"\w+(?:[.\-]\w+)*|['’]\w*|[&(),]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]+")
# Endings that may follow a name: German genitive and plural, a demonym's "-n".
ENDINGS = ("es", "en", "er", "e", "s", "n")


def _key(words):
    return tuple(word.replace("’", "'") for word in words)


@cache
def _gazetteer():
    """({token tuple: code}, longest alias in tokens, {CJK alias: code}, longest CJK alias)."""
    table = {}
    for code, name in _pycountry_names():
        table.setdefault(name, code)
    for code, aliases in ALIASES.items():
        for alias in aliases.split("|"):
            table[alias] = code
    latin, cjk = {}, {}
    for alias, code in table.items():
        if CJK.fullmatch(alias):
            cjk[alias] = code
        else:
            latin[_key(TOKEN.findall(alias))] = code
    return latin, max(map(len, latin)), cjk, max(map(len, cjk))


def find_actors(text):
    """Every actor named in `text`, in text order; where names overlap the longest wins."""
    latin, longest, cjk, longest_cjk = _gazetteer()
    mentions = _latin_mentions(text, latin, longest) + _cjk_mentions(text, cjk, longest_cjk)
    return sorted((m for m in mentions if m.code), key=lambda m: m.start)


def _latin_mentions(text, table, longest):
    tokens = list(TOKEN.finditer(text))
    words = _key(token.group() for token in tokens)
    firsts = _first_words()
    mentions, i = [], 0
    while i < len(tokens):
        # Only a name's first word can open a name of several words.
        widest = min(longest, len(tokens) - i) if words[i] in firsts else 1
        for n in range(widest, 0, -1):
            code = _lookup(table, words[i : i + n])
            if code is not None:
                start, end = tokens[i].start(), tokens[i + n - 1].end()
                if text[end : end + 1] == "." and "." in words[i + n - 1]:
                    end += 1  # "U.S." keeps its final full stop.
                mentions.append(Mention(start, end, code, text[start:end]))
                i += n
                break
        else:
            i += 1
    return mentions


@cache
def _first_words():
    latin = _gazetteer()[0]
    return frozenset(key[0] for key in latin if len(key) > 1)


def _lookup(table, key):
    if key in table:
        return table[key]
    last = key[-1]
    for ending in ENDINGS:
        if last.endswith(ending) and len(last) > len(ending) + 2:
            stem = (*key[:-1], last[: -len(ending)])
            if stem in table:
                return table[stem]
    return None


def _cjk_mentions(text, table, longest):
    mentions = []
    for run in CJK.finditer(text):
        i = run.start()
        while i < run.end():
            for n in range(min(longest, run.end() - i), 0, -1):
                if text[i : i + n] in table:
                    mentions.append(Mention(i, i + n, table[text[i : i + n]], text[i : i + n]))
                    i += n
                    break
            else:
                i += 1
    return mentions


def actor_in(text):
    """The first actor `text` names, or None."""
    mentions = find_actors(text)
    return mentions[0].code if mentions else None


def publisher_of(url):
    """(actor code, publisher name) for a government or organisation's web address, else
    (None, "")."""
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    labels = host.split(".")
    # The longest suffix on record names the host: press.un.org before un.org.
    for start in range(len(labels)):
        if ".".join(labels[start:]) in HOSTS:
            return HOSTS[".".join(labels[start:])]
    if len(labels) >= 2 and (GOVERNMENT_LABELS & set(labels[:-1])):
        tld = labels[-1]
        code = CCTLD_EXCEPTIONS.get(tld, tld.upper())
        if pycountry.countries.get(alpha_2=code):
            return code, host
    return None, ""

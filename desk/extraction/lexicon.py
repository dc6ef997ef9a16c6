"""The stance and theme lexicons: cue phrases as data, one row each.

A stance row is (language, stance, weight, pattern): the pattern is a regular expression,
matched case-insensitively from a word start (Japanese: anywhere). Weights rank the cues: 3 is
an explicit verdict ("condemns", "unacceptable", "legitimate right"), 2 a characterisation
("violation", "threat", "concerned"), 1 a hint ("undermines", "restraint"). The stance scale is
about the launch: `defends` is a defence of the launch itself, `supportive` sympathy for the
launching state's position, `neutral` a call on all sides without blame.

Rows whose pattern holds its own negation ("cannot be tolerated") are verdicts as written;
every other cue is dropped when a negation governs it ("does not pose a threat").
"""

CONDEMNS, CONCERNED, NEUTRAL, SUPPORTIVE, DEFENDS = (
    "condemns",
    "concerned",
    "neutral",
    "supportive",
    "defends",
)

STANCE_CUES = [
    # English
    ("en", CONDEMNS, 3, r"condemn\w*|condemnation"),
    ("en", CONDEMNS, 3, r"denounc\w*|deplor\w*"),
    ("en", CONDEMNS, 3, r"(?:totally |absolutely |completely )?unacceptable|(?:is|are|was|were) (?:simply |absolutely )?not acceptable"),  # noqa: E501
    ("en", CONDEMNS, 3, r"inexcusable|unforgivable|outrageous|intolerable"),
    ("en", CONDEMNS, 3, r"(?:cannot|can ?not|will not|won't) (?:\w+ )?(?:be )?(?:tolerat|accept|justif|condon|ignor)\w*"),  # noqa: E501
    ("en", CONDEMNS, 3, r"(?:lodg\w*|sen[td]|deliver\w*|made|make|file\w*) (?:a |an )?(?:strong |stern |formal )?protest\w*"),  # noqa: E501
    ("en", CONDEMNS, 3, r"protest(?:ed|s)? (?:against|to) "),
    ("en", CONDEMNS, 2, r"reckless\w*|brazen\w*|flagrant\w*|blatant\w*|dangerous"),
    ("en", CONDEMNS, 2, r"unlawful|illegal\w*|illicit"),
    ("en", CONDEMNS, 2, r"violat\w*|breach\w*|contraven\w*|flout\w*|def(?:y|ies|ied|ying)"),
    ("en", CONDEMNS, 2, r"contrary to (?:the |all )?(?:relevant |multiple )?(?:un |united nations )?(?:security )?council"),  # noqa: E501
    ("en", CONDEMNS, 2, r"(?:explicitly |expressly )?prohibit\w*|in disregard of"),
    ("en", CONDEMNS, 2, r"provocat\w*|provok\w*"),
    ("en", CONDEMNS, 2, r"threat(?:s|en\w*)?|menac\w*|endanger\w*|imperil\w*"),
    ("en", CONDEMNS, 2, r"destabili[sz]\w*"),
    ("en", CONCERNED, 2, r"concern(?:ed|s)?\b|worr(?:y|ied|ies|isome|ying)|alarm\w*|troubl(?:ed|ing)"),  # noqa: E501
    ("en", CONCERNED, 2, r"regret\w*|disappoint\w*"),
    ("en", CONCERNED, 2, r"(?:serious|grave|significant|great) risks?\b"),
    ("en", CONCERNED, 1, r"undermin\w*|escalat\w*|raises? tensions?|heighten\w* tensions?"),
    ("en", CONCERNED, 2, r"(?:closely )?monitor\w*|vigilan\w*|surveillance|readiness|on alert"),
    ("en", CONCERNED, 1, r"(?:urg|call|demand)\w* (?:on |upon )?(?:north korea|the dprk|dprk|pyongyang) to (?:\w+ )?(?:cease|stop|refrain|desist|halt|abandon)"),  # noqa: E501
    ("en", NEUTRAL, 1, r"all (?:relevant |concerned )?(?:parties|sides)|(?:parties|sides) concerned"),  # noqa: E501
    ("en", NEUTRAL, 1, r"restraint|calm\b|prudent\w*|de-?escalat\w*"),
    ("en", NEUTRAL, 1, r"dialogue|consultation|political (?:settlement|resolution|solution)"),
    ("en", NEUTRAL, 1, r"no (?:new |further )?comment\w*|noted the reports?"),
    ("en", SUPPORTIVE, 2, r"(?:legitimate (?:security )?)?concerns of (?:the )?(?:dprk|north korea|pyongyang)"),  # noqa: E501
    ("en", SUPPORTIVE, 2, r"(?:attribut|blam)\w*(?:[^.]|(?<=\b[A-Z])\.){0,60}(?:u\.s\.|united states|washington|american)"),  # noqa: E501
    ("en", SUPPORTIVE, 2, r"(?:sanctions|pressure)(?:[^.]|(?<=\b[A-Z])\.){0,40}(?:will not|won't|does not|do not|cannot) (?:help|work|solve)"),  # noqa: E501
    ("en", SUPPORTIVE, 2, r"dead[- ]end"),
    ("en", SUPPORTIVE, 2, r"(?:consequence|result) of (?:\w+ ){0,4}(?:military|confrontational|hostile)"),  # noqa: E501
    ("en", SUPPORTIVE, 2, r"(?:military )?(?:exercises|drills) (?:\w+ ){0,4}(?:provok|provoc|pushed|forced|drove)\w*"),  # noqa: E501
    ("en", SUPPORTIVE, 2, r"hostile polic\w*|root cause\w*"),
    ("en", DEFENDS, 3, r"legitimate right|sovereign right|right to self[- ]defen[cs]e|inalienable right"),  # noqa: E501
    ("en", DEFENDS, 3, r"right to (?:ensure|defend|protect) (?:its|their) (?:own )?(?:security|sovereignty)"),  # noqa: E501
    ("en", DEFENDS, 3, r"(?:a|an) (?:legitimate |justified |natural )?response\b(?:[^.]|(?<=\b[A-Z])\.){0,100}\b(?:provocati\w+|hostile)"),  # noqa: E501
    # German
    ("de", CONDEMNS, 3, r"verurteil\w*|aufs? (?:das )?schärfste"),
    ("de", CONDEMNS, 3, r"inakzeptabel|nicht (?:zu )?(?:hinnehmbar|akzeptabel|hinnehmen|tolerier\w*)"),  # noqa: E501
    ("de", CONDEMNS, 3, r"protest\w*"),
    ("de", CONDEMNS, 2, r"völkerrechtswidrig\w*|illegal\w*|rechtswidrig\w*|unrechtmäßig\w*"),
    ("de", CONDEMNS, 2, r"verstoß\w*|verstöß\w*|verstößt|verletz\w*|missacht\w*"),
    ("de", CONDEMNS, 2, r"provokation\w*|provozi\w*|provokativ\w*|rücksichtslos\w*"),
    ("de", CONDEMNS, 2, r"bedroh\w*|gefahr\w*|gefährd\w*|destabilisier\w*"),
    ("de", CONCERNED, 2, r"besorg\w*|sorge\w*|beunruhig\w*|bedauer\w*"),
    ("de", CONCERNED, 1, r"untergräbt|untergraben|eskalation\w*"),
    ("de", NEUTRAL, 1, r"alle (?:beteiligten )?(?:seiten|parteien)|zurückhaltung|besonnenheit"),
    ("de", NEUTRAL, 1, r"dialog\w*|politische lösung"),
    ("de", CONCERNED, 1, r"fordern (?:nordkorea|pjöngjang)\b(?:[^.]|(?<=\b[A-Z])\.){0,40}\bauf"),
    ("de", DEFENDS, 3, r"legitimes recht|souveränes recht|recht auf selbstverteidigung"),
    # French
    ("fr", CONDEMNS, 3, r"condamn\w*|dénonc\w*|déplor\w*"),
    ("fr", CONDEMNS, 3, r"inacceptable\w*|intolérable\w*|inadmissible\w*|(?:n'est|ne sont) pas acceptable\w*"),  # noqa: E501
    ("fr", CONDEMNS, 3, r"protest\w*"),
    ("fr", CONDEMNS, 2, r"violation\w*|viol(?:e|ent|é)\b|en infraction|contrevien\w*"),
    ("fr", CONDEMNS, 2, r"illégal\w*|illicite\w*"),
    ("fr", CONDEMNS, 2, r"provocat\w*|dangereu\w*|imprudent\w*|irresponsable\w*"),
    ("fr", CONDEMNS, 2, r"menac\w*|met en danger|mettent en danger|déstabilis\w*"),
    ("fr", CONCERNED, 2, r"préoccup\w*|inquiét\w*|inquiet\w*|regrett\w*"),
    ("fr", CONCERNED, 1, r"sap\w+ |escalade"),
    ("fr", NEUTRAL, 1, r"toutes les parties|retenue|dialogue|règlement politique"),
    ("fr", CONCERNED, 1, r"appel\w* (?:la corée du nord|pyongyang|la rpdc) à"),
    ("fr", DEFENDS, 3, r"droit légitime|droit souverain|légitime défense"),
    # Japanese: no word starts; a negation follows the cue.
    ("ja", CONDEMNS, 3, r"非難|抗議|容認できない|容認でき(?:ず|ません)|断じて|許されない|看過できない"),  # noqa: E501
    ("ja", CONDEMNS, 2, r"違反|脅威|脅か|挑発|暴挙|無謀|不法|違法"),
    ("ja", CONCERNED, 2, r"懸念|遺憾|憂慮"),
    ("ja", CONCERNED, 1, r"警戒|監視"),
    ("ja", NEUTRAL, 1, r"自制|対話|冷静|各方面|関係各国"),
    ("ja", DEFENDS, 3, r"正当な権利|自衛権|主権的権利"),
    # Italian and Spanish official texts carry the same verdict verbs.
    ("it", CONDEMNS, 3, r"condann\w*|inaccettabil\w*"),
    ("it", CONCERNED, 2, r"preoccupa\w*"),
    ("es", CONDEMNS, 3, r"conden(?:a|ó|amos|an|ar)\w*|inaceptable\w*"),
    ("es", CONCERNED, 2, r"preocupa\w*"),
]  # fmt: skip

# Words that reverse a cue shortly after them, per language ("any" makes a cue hypothetical:
# "ready to respond to any provocation"); Japanese and German negate after
# the verb too, so their negations are also looked for right after the cue.
NEGATIONS_BEFORE = {
    "en": r"(?:\b(?:not|no|never|nor|without|neither|refus\w*|declin\w*|fail\w*|avoid\w*|any)|n't) ",  # noqa: E501
    "de": r"\b(?:nicht|kein\w*|nie|niemals|ohne) ",
    "fr": r"\b(?:ne|n'|pas|jamais|aucun\w*|sans)\b",
    "it": r"\b(?:non|mai|senza) ",
    "es": r"\b(?:no|nunca|sin) ",
}
NEGATIONS_AFTER = {
    "de": r"^\W*(?:\w+\W+){0,2}(?:nicht|keine?)\b",
    "fr": r"^\W*(?:pas|jamais|aucun\w*)\b",
    "ja": r"^(?:で(?:は|も)?(?:ない|なく|ありません)|しない|せず|しません|ではない)",
}

# Theme names as Salvo records them, and the cues that suggest each (any language).
THEME_CUES = {
    "violates UNSC resolutions": (
        r"(?:violat\w*|breach\w*|contraven\w*|contrary to|defy\w*|flout\w*|prohibit\w*|in disregard)"  # noqa: E501
        r"(?:[^.]|(?<=\b[A-Z])\.){0,80}(?:security council|unsc\w*|resolutions?)",
        r"(?:security council|unsc\w*)(?:[^.]|(?<=\b[A-Z])\.){0,40}(?:resolutions?|prohibitions?|ban)(?:[^.]|(?<=\b[A-Z])\.){0,40}(?:violat\w*|breach\w*)",  # noqa: E501
        r"verstoß\w*(?:[^.]|(?<=\b[A-Z])\.){0,80}resolution\w*|resolution\w*(?:[^.]|(?<=\b[A-Z])\.){0,80}verletz\w*",
        r"violation(?:[^.]|(?<=\b[A-Z])\.){0,80}résolutions?",
        r"安保理決議[^。]{0,20}違反|決議違反",
    ),
    "threat to peace": (
        r"threat\w*(?:[^.]|(?<=\b[A-Z])\.){0,60}(?:peace|security|stability)",
        r"(?:undermin\w*|harms?|endanger\w*)(?:[^.]|(?<=\b[A-Z])\.){0,40}(?:peace|stability|security)",
        r"(?:bedroh|gefährd)\w*(?:[^.]|(?<=\b[A-Z])\.){0,60}(?:sicherheit|frieden|stabilität)",
        r"menac\w*(?:[^.]|(?<=\b[A-Z])\.){0,60}(?:paix|sécurité|stabilité)",
        r"平和と安全を脅か|脅威",
    ),
    "ready to defend allies": (
        r"(?:ready|readiness|commitment|committed)(?:[^.]|(?<=\b[A-Z])\.){0,40}(?:defen[cs]e|defend)",
        r"ironclad|steadfast commitment",
    ),
    "calls for dialogue": (
        r"dialogue|negotiations?|talks\b|diplomac\w*|diplomatic (?:avenue|path|solution)",
        r"gesprächsangebot\w*|verhandlung\w*|dialog\w*",
        r"対話|交渉",
    ),
    "calls for restraint": (
        r"restraint|refrain\w*|desist\w*|cease\w*|(?:avoid|reduce|ease) (?:\w+ ){0,2}tensions?",
        r"zurückhaltung|unterlassen",
        r"retenue|s'abstenir",
        r"自制",
    ),
    "legitimate right to security": (
        r"legitimate right|sovereign right|right to (?:self[- ]defen[cs]e|ensure)",
        r"legitimes recht|droit légitime|正当な権利|自衛権",
    ),
    "blames US/allies": (
        r"(?:united states|washington|u\.s\.|us-led)(?:[^.]|(?<=\b[A-Z])\.){0,80}(?:provocat\w*|provok\w*|hostile|confrontation\w*)",  # noqa: E501
        r"(?:military )?(?:exercises|drills)(?:[^.]|(?<=\b[A-Z])\.){0,60}(?:provok|provoc)\w*",
    ),
    "sanctions": (r"sanction\w*", r"制裁"),
    "consulting allies": (
        r"consult\w*(?:[^.]|(?<=\b[A-Z])\.){0,40}(?:allies|partners)|(?:coordinat|cooperat|work)\w*(?:[^.]|(?<=\b[A-Z])\.){0,20}closely",
        r"trilateral|japan-u\.s\.|u\.s\.-rok|日米",
    ),
    "protest lodged": (r"protest\w*", r"抗議"),
    "emergency meeting": (r"emergency (?:meeting|session)|dringlichkeitssitzung|緊急会合",),
    "denuclearization": (r"denucleari[sz]\w*|dénucléaris\w*|denuklearisierung|非核化",),
    "destabilizing": (r"destabili[sz]\w*|déstabilis\w*|destabilisier\w*",),
    "consulting with allies": (r"consult\w*(?:[^.]|(?<=\b[A-Z])\.){0,40}(?:allies|partners)",),
    "calls to cease provocations": (
        r"(?:cease|stop|refrain from|desist from|halt)(?:[^.]|(?<=\b[A-Z])\.){0,40}(?:provocat\w*|destabili[sz]\w*|actions)",  # noqa: E501
    ),
}  # fmt: skip

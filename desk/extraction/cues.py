"""The words that tell who speaks and how, in the languages of the desk's sources (English,
German, French, Japanese): speech and reaction verbs, roles and offices, lead-ins, transcripts,
channels. Data for desk.extraction.statements, kept apart from the reading itself.
"""

import re

# Verbs that say or react, in the languages of the desk's sources; a sentence whose subject is
# an actor and whose verb is one of these reports what that actor said.
SPEECH_VERB = re.compile(
    r"\b(?:said|says|say|stated|states|stating|saying|added|adds|told|tells|noted|notes|"
    r"stressed|stresses|emphasi[sz]ed|emphasi[sz]es|underlined|underscored|warned|warns|"
    r"reported|urged|urges|urge|called (?:on|upon|for)|calls (?:on|upon|for)|call (?:on|upon)|"
    r"condemned|condemns|condemn|denounced|denounces|deplored|deplores|regretted|regrets|"
    r"expressed|expresses|reiterated|reiterates|reaffirmed|reaffirms|welcomed|welcomes|"
    r"defended|defends|critici[sz]ed|critici[sz]es|protested|demanded|demands|insisted|"
    r"declared|declares|cautioned|highlighted|pointed out|issued a statement|voiced|slammed|"
    r"asserted|argued|(?:is|was|are|were|remains?) (?:\w+ )?(?:concerned|alarmed|troubled)|"
    r"sagte|sagt|erklärte|erklärt|betonte|betont|verurteilte|verurteilt|verurteilen|"
    r"forderte|fordert|fordern|warnte|warnt|kritisierte|kritisiert|äußerte|bekräftigte|"
    r"bekräftigt|bekräftigen|appellierte|(?:ist|sind|zeigte sich) (?:\w+ )?besorgt|"
    r"a déclaré|déclare|a dit|a affirmé|affirme|a souligné|souligne|condamne|condamnent|"
    r"condamnons|a condamné|appelle|appellent|appelons|a appelé|exhorte|exhortons|dénonce|"
    r"dénoncent|a dénoncé|regrette|déplore|a averti|rappelle|a rappelé|a estimé|"
    r"(?:est|sont|se dit|s'est dit|s’est dit) (?:\w+ )?préoccupée?s?|réaffirme|demande)\b"
    r"|(?:述べ|表明|非難|抗議|求め|強調|発表|懸念)"
)
# Words that make a sentence a reaction to a launch rather than a report of it.
REACTION = re.compile(
    r"condemn|denounc|deplor|regret|concern|alarm|\burg(?:e|es|ed|ing)\b|call(?:s|ed)? (?:on|upon)|"
    r"demand|protest|unacceptable|tolerat|violat|breach|contraven|threat|provocat|provok|"
    r"destabili[sz]|reckless|illegal|unlawful|irresponsib|prohibit|undermin|\brisks?\b|danger|"
    r"escalat|support|welcome|solidarity|legitimate|right to|defen[cd]|deter|sanction|"
    r"\bcease|desist|refrain|restraint|comply|complian|dialogue|denucleari[sz]|\bgrave|"
    r"serious|outrag|aggress|complicit|flout|defy|defian|cannot be|must not|"
    r"verurteil|besorg|Sorge|fordern|fordert|aufgefordert|bedauer|Verstoß|verstoß|verletz|"
    r"Bedrohung|bedroh|gefährd|Provokation|provoka|provozier|völkerrechtswidrig|illegal|"
    r"rechtswidrig|inakzeptabel|hinnehmbar|unterstütz|begrüß|Dialog|Sanktion|Eskalation|"
    r"unterlassen|verstöß|condamn|préoccup|inqui[eé]t|appel|exhort|déplor|regrett|violation|\bviol|"
    r"menace|illégal|illicite|inacceptable|soutien|soutient|salu[eo]|dénonc|déstabilis|"
    r"escalade|cesser|renoncer|"
    r"非難|抗議|遺憾|懸念|容認|違反|脅威|挑発|求め|支持|歓迎|断じて|看過|平和と安定",
    re.IGNORECASE,
)
# The subject is the speaker of the text itself.
FIRST_PERSON = re.compile(r"(?:^|\s)(?:I|We|we|Wir|wir|Nous|nous|Je)\b|我が国|我々|私")
# The subject continues the previous speaker.
PRONOUN = re.compile(
    r"^(?:It|He|She|They|Er|Sie|Il|Elle|Ils|The (?:office|ministry|spokesperson|spokesman|"
    r"spokeswoman|statement|command|minister|secretary|department|agency|government))\b"
    r"(?:\s+(?:also|further|then|later|again|\w+ly))*$",
    re.IGNORECASE,
)
# "…, she reported." / "…, a United Nations official told the Council today, as …"
INVERTED = re.compile(
    r"(?:^|[,;—–]\s*|[”\"»]\s*)(?P<subject>[^,;—–”\"»]{1,90}?)\s+(?P<verb>said|says|told|warned|"
    r"(?:was|were|is|are) (?:quoted|cited) as (?:saying|telling)|"
    r"reported|added|stressed|noted|cautioned|emphasi[sz]ed|underlined|observed|explained|"
    r"stated|insisted|argued|sagte|erklärte|betonte|a déclaré|a ajouté|a dit|"
    r"a souligné|a affirmé)\b"
)
# '"…," said Dmitry Peskov.' / « … », a déclaré le porte-parole.
SAID_BY = re.compile(
    r"^\W*(?:said|says|added|a déclaré|a dit|a ajouté|a affirmé|a souligné|sagte|erklärte|"
    r"betonte|fügte hinzu)\s+(?P<subject>[^,.;:]{2,90})"
)
# Japanese: the topic before は or が names the speaker of a quotation that follows it.
TOPIC = re.compile(r"(?P<subject>[^、。「」『』\s]{1,30})(?:は|が)[^。]{0,20}$")
# The outlet a statement came through.
VIA = re.compile(
    r"(?:(?:quoted|cited)(?: as saying)? by|in an interview with|zitiert (?:von|vo[nm])|"
    r"cité(?:e)? par|"
    r"told|according to|laut|selon)\s+(?:the\s+)?(?P<outlet>(?:[A-Z][\w&.-]*\s?){1,4})"
)
VIA_PHRASE = re.compile(
    r",?\s*(?:(?:quoted|cited)(?: as saying)? by|zitiert von|cité par)\s+[^,]+,?"
)
# Roles and offices: a lead-in that names one of these speaks for an actor.
ROLE_WORD = re.compile(
    r"\b(?:Minister|Secretary|Spokes(?:person|man|woman)|spokes(?:person|man|woman)|"
    r"Ambassador|President|Chancellor|Representative|Director|Chief|Commander|Envoy|"
    r"Office|Ministry|Command|Department|Government|Mission|Delegation|delegate|official|"
    r"Sprecher(?:in)?|Ministerin|Staatssekretär|porte-parole|ministre|Ambassadeur|"
    r"représentant|Kremlin|White House|Pentagon|Chiefs of Staff|FCDO|Foreign Office|Council|"
    r"Secretary-General|Auswärtig\w*|Quai d['’]Orsay|Élysée|Downing Street|Allies|"
    r"Außenminister(?:in)?|Bundeskanzler(?:in)?|Regierungssprecher(?:in)?|Premier ministre|"
    r"président|ministère)\b|"
    r"大臣|報道官|長官|総理|首相|大使|外務省"
)
HONORIFIC = re.compile(r"^(?:(?i:mr|ms|mrs|dr|h\.e)|Ambassador|Herr|Frau|M|Mme)\.?(?:\s+|$)")
# The capitalised words that open a sentence: its subject when it names an actor.
OPENING = re.compile(
    r"^(?:(?:[A-ZÀ-Þ][\w.’'&()-]*|of|the|for|and|on|de|des|du|der|die|das)[\s,]*)+"
)
# A person's name: two or more capitalised words ("Dmitry Peskov", "HAYASHI Yoshimasa").
NAME = re.compile(r"\b(?:[A-ZÀ-Þ][a-zà-ÿ]+|[A-Z]{2,})(?:[ -](?:[A-ZÀ-Þ][a-zà-ÿ]+|[A-Z]{2,}))+\b")
NOT_IN_NAME = {
    "The", "Office", "Ministry", "Foreign", "Affairs", "Command", "Department", "State",
    "Secretary", "General", "Minister", "President", "Prime", "Council", "Security", "National",
    "United", "Nations", "Republic", "Korea", "Korean", "Spokesperson", "Spokesman",
    "Representative", "Ambassador", "Permanent", "High", "Under", "Assistant", "Chief", "Joint",
    "Staff", "Federal", "Government", "Middle", "East", "Asia", "Pacific", "Political",
    "Peacebuilding", "Disarmament", "Executive", "Director", "Deputy", "Kremlin", "White", "House",
    "Statement", "Press", "Conference", "Development", "Commonwealth", "Indo", "Defense",
    "Defence", "Peace", "Operations", "Opening", "Remarks", "Reporter", "Media", "Data", "Source",
    "European", "Union", "Auswärtigen", "Amts", "Amtes", "Sprecher", "Mission", "People's",
    "People’s", "Democratic", "For", "And", "Of", "On", "At", "In", "Extraordinary", "Cabinet",
    "Armed", "Forces", "Embassy", "Federation", "Sprecherin", "Ein", "Eine", "Der", "Die",
    "Außenministerin", "Außenminister", "Bundeskanzler", "Bundeskanzlerin", "Staatsministerin",
    "Staatsminister", "Regierungssprecher", "Ministre", "Porte-parole", "Madame", "Monsieur"
}  # fmt: skip
# Lines that introduce the speaker of what follows.
LEAD_IN_TITLE = re.compile(
    r"(?:^|[:–—-]\s+)(?:Statement|Remarks|Press statement|Joint statement|Speech|Declaration|"
    r"Erklärung|Pressemitteilung|Déclaration|Communiqué)\s+(?:attributable to|by|of|von|de|du|"
    r"de la|attribuable (?:au|aux|à la|à l['’]))\s*(?P<who>.+)$",
    re.IGNORECASE,
)
# A heading that names whose statement it is: "USINDOPACOM statement on …", "Foreign Ministry
# Spokesperson's Statement on …".
TITLE_STATEMENT = re.compile(
    r"^(?:[^:]{1,40}:\s+)?(?P<who>[^:]{2,80}?)(?:['’]s)?\s+(?:press\s+)?statement\b",
    re.IGNORECASE,
)
LEAD_IN_ISSUED = re.compile(r"\b(?:issued|released|delivered|made)\b.*?\bby\s+(?P<who>.+)$")
# 【林外務大臣】 opens a minister's answer; "…について(外務報道官談話)" titles a statement.
JA_LEAD_IN = re.compile(r"^【(?P<who>[^】]{1,40})】|[（(](?P<speaker>[^）)]{1,20})談話[）)]\s*$")
# The marks of a transcript: a question is a journalist's, an answer the official's.
QUESTION_ANSWER = re.compile(
    r"^(?P<mark>Q|A|R|(?i:question|answer|frage|antwort|réponse)|問|答)\s*[:：\-–—.]\s+"
)
ANSWERS = {"a", "r", "answer", "antwort", "réponse", "答"}
# An official in a transcript is named by title: "MR MILLER:", "Ms. Kim:".
OFFICIAL_LEAD_IN = re.compile(r"^(?i:mr|ms|mrs|dr|madam|sir|h\.e)\.?\s+\w")
NOT_A_LEAD_IN = re.compile(
    r"^\W*(?:date|data source|source|email|e-mail|tel|telephone|fax|url|link|note|photo|"
    r"published|updated|datum|stand|tags?|topics?)\b",
    re.IGNORECASE,
)
# Coverage of a meeting narrates what others said: its publisher is not their voice.
MEETING_COVERAGE = re.compile(
    r"\bMeeting \((?:AM|PM)\)|\bSC/\d+|\b(?:told|tells|warned|warns|briefed|briefs|briefing|"
    r"informed|urged|urges) (?:the )?(?:15-(?:nation|member) )?(?:Security )?Council\b",
    re.IGNORECASE,
)
# Cues of the channel a statement was made through, the most specific first.
CHANNELS = [
    ("joint_statement", re.compile(
        r"joint (?:statement|declaration)|gemeinsame Erklärung|déclaration conjointe|共同声明",
        re.IGNORECASE,
    )),
    ("social_media", re.compile(
        r"\b(?:on X|Twitter|tweet|posted on|social media|Facebook|Telegram|Weibo)\b",
        re.IGNORECASE,
    )),
    ("state_media", re.compile(
        r"\b(?:KCNA|Korean Central News Agency|Rodong Sinmun|state media|Xinhua|TASS|"
        r"RIA Novosti|state-run)\b",
        re.IGNORECASE,
    )),
    ("un_session", re.compile(
        r"(?:at|to|before|in|told|tells|briefed|briefing|addressed) the "
        r"(?:UN |U\.N\. |United Nations )?(?:Security )?Council\b|"
        r"Security Council (?:meeting|briefing|debate)|General Assembly|"
        r"im (?:UN-)?Sicherheitsrat|au Conseil de sécurité|安保理会合",
        re.IGNORECASE,
    )),
    ("briefing", re.compile(
        r"press conference|press briefing|briefing|Pressekonferenz|conférence de presse|"
        r"point de presse|記者会見|会見",
        re.IGNORECASE,
    )),
    ("written_statement", re.compile(
        r"statement|press release|Erklärung|erklärte|Pressemitteilung|communiqué|déclaration|"
        r"談話|声明",
        re.IGNORECASE,
    )),
]  # fmt: skip
# The channels the kind of text tells (a press conference, a statement), whoever it names.
TEXT_CHANNELS = {"joint_statement", "un_session", "briefing", "written_statement"}
# "2　", "(3) ", "4. " before a paragraph of an official statement.
NUMBERING = re.compile(r"^(?:\(?\d{1,2}[.)]?[\s\u3000]+)?")
# Chinese and Japanese script, where words are not separated by spaces.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
JA_SUBJECT = re.compile(r"^(?P<subject>[^、。「」]{1,30}?)(?:は|が)")
# Where a speaker's phrase goes on to say where or on what they spoke.
WHERE = (
    r"\s+(?:(?:at|during|before|in)\s+(?:the|a|an)|on(?!\s+behalf)|to the press|"
    r"sur (?:la|le|les|l['’])|lors d[eu]|zu[mr]?|heute|bei)\b|\s+[–—-]\s+"
)
# Where a sentence gives a second actor's reaction: "…, while Russia defended it".
CLAUSE = r",?\s+(?:while|whereas|but|während|tandis que|alors que)\s+"
# What may join the actors of one subject.
COORDINATION = r"(?i)\b(?:the|and|und|et|as well as|sowie)\b|[,\s’'s]"
# A relative clause inside a subject: "drills, which North Korea condemned".
RELATIVE = re.compile(r",?\s+(?:which|who|whom|that|whose|die|der|das|que|qui)\s+")

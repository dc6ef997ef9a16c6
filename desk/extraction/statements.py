"""Who said what: the statements in an article, with actor, speaker, quote and channel.

Three kinds of sentence carry a statement, read in text order so that "It added" or "he said"
can follow the last speaker:

- a quotation ("…", “…”, „…“, «…», 「…」) attributed to a speaker around it — verbatim;
- reported speech, a sentence whose subject is an actor and whose verb says or reacts
  ("It urged Pyongyang to cease …", "…, a United Nations official told the Council") —
  reported, or verbatim when the text is that actor's own;
- in an official text, a sentence that reacts ("We condemn …", "Wir verurteilen …") spoken by
  the text's voice: the speaker a lead-in names ("An FCDO spokesperson said:", "Mr. HAYASHI
  Yoshimasa, Minister for Foreign Affairs:"), or else the government or organisation whose
  web address published it.
"""

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property
from urllib.parse import urlsplit

from django.db.models import Q

from desk.extraction import dates
from desk.extraction.actors import actor_in, find_actors, publisher_of
from desk.extraction.cues import (
    ANSWERS,
    CHANNELS,
    CJK,
    CLAUSE,
    COORDINATION,
    FIRST_PERSON,
    HONORIFIC,
    INVERTED,
    JA_LEAD_IN,
    JA_SUBJECT,
    LEAD_IN_ISSUED,
    LEAD_IN_TITLE,
    MEETING_COVERAGE,
    NAME,
    NOT_A_LEAD_IN,
    NOT_IN_NAME,
    NUMBERING,
    OFFICIAL_LEAD_IN,
    OPENING,
    PRONOUN,
    QUESTION_ANSWER,
    REACTION,
    RELATIVE,
    ROLE_WORD,
    SAID_BY,
    SPEECH_VERB,
    TEXT_CHANNELS,
    TITLE_STATEMENT,
    TOPIC,
    VIA,
    VIA_PHRASE,
    WHERE,
)
from desk.extraction.quotes import quote_spans
from reactions.models import Speaker as SpeakerOnRecord

ANSWER = object()  # The answer in a transcript: the official's voice again.
# Shorter sentences and quotations are headings, names or scare quotes, not statements.
MIN_WORDS = 4
MIN_CJK = 10
MIN_QUOTE_WORDS = 4
MIN_QUOTE_CJK = 6
LONGEST_SUBJECT = 25
LONGEST_ROLE = 8
LONGEST_HEADING = 25
# Launches on record are North Korea's by default: its own claims about them are not reactions.
LAUNCHING_STATE = "KP"


@dataclass(frozen=True)
class Speaker:
    """Who speaks, as far as the text tells: its actor, a person or office, and what the
    attribution says of the channel and the day."""

    actor: str
    name: str = ""
    role: str = ""
    channel: str = ""
    issued_on: object = None
    # Speaks for the text itself (its lead-in or publisher), not reported by it.
    official: bool = False


@dataclass
class Found:
    """A statement as found, before it becomes the JSON the desk shows."""

    start: int
    speaker: Speaker
    quote: str
    kind: str
    evidence: str
    via: str = ""
    # Where the evidence lies in the text, for a quotation that the next one continues.
    span: tuple = (0, 0)


def find_statements(article):
    """The statements in `article`, in text order. Each is a dict:
    {"actor": code, "speaker": {"name", "role"}, "quote", "quote_kind": "verbatim|reported",
     "via", "issued_on": "YYYY-MM-DD" or None, "channel", "evidence": the sentence}.
    Stance and themes are added by the pipeline."""
    reader = Reader(article)
    found = reader.read()
    return [reader.as_dict(item) for item in _deduplicated(found, article.text)]


class Reader:
    """One pass over an article's sentences, remembering the voice and the last speaker."""

    def __init__(self, article):
        self.article = article
        self.text = article.text
        self.meeting = bool(MEETING_COVERAGE.search(article.text[:3000]))
        self.page_date = dates.reference_date(article)
        self.publisher = self._publisher()
        self.voice = self.official = self.publisher
        self.last = None
        self.people = {}
        self.quotes = sorted(quote_spans(article.text))
        self.quote_starts = [start for start, _end in self.quotes]
        self.sentence_starts = [sentence.start for sentence in article.sentences]
        self.open_quote = None
        self.channel_default = self._text_channel()

    def read(self):
        """The statements, in text order; a quotation's sentences are read once."""
        found = []
        covered = 0
        for sentence in self.article.sentences:
            if sentence.end <= covered:
                continue
            self._lead_in(sentence)
            quoted, upto = self._quoted(sentence)
            found.extend(quoted)
            if upto:
                covered = max(covered, upto)
                continue
            self.open_quote = None
            statements = self._reported(sentence)
            if statements is None:
                continue  # The launching state's claim: no one else's statement either.
            statements = statements or self._voiced(sentence)
            found.extend(statements)
            if not statements:
                self._follow_subject(sentence)
        return found

    def _follow_subject(self, sentence):
        """A sentence whose subject names an actor makes it the one "It" or "she" refers to."""
        body, _offset = self._without_lead_in(sentence)
        opening = OPENING.match(body)
        if opening and find_actors(opening.group()):
            speaker = self._subject_speaker(opening.group())
            if speaker:
                # "X issued a statement." tells the channel of what X says next.
                self.last = replace(speaker, channel=speaker.channel or _channel(body))

    # The voice: who speaks when a sentence names no one.

    def _publisher(self):
        code, name = publisher_of(self.article.url)
        if not code or self.meeting:
            return None
        publisher = self.article.publisher
        host = urlsplit(self.article.url).hostname or ""
        role = name if not publisher or host.endswith(publisher) else publisher
        return Speaker(code, "", role, official=True)

    def _lead_in(self, sentence):
        """A sentence that opens a line and introduces a speaker changes the voice."""
        line_start = self.text.rfind("\n", 0, sentence.start) + 1
        if self.text[line_start : sentence.start].strip():
            return
        line_end = self.text.find("\n", sentence.start)
        line = self.text[line_start : line_end if line_end >= 0 else len(self.text)]
        who = self._lead_in_speaker(line.strip())
        if who is None:
            return
        if who == ANSWER:
            self.voice = self.official
        elif who == "":
            self.voice = None
        else:
            self.voice = self._voice_of(who, line) or self.voice
            self.official = self.voice
            self.last = self.voice

    def _lead_in_speaker(self, line):
        """The speaker phrase of a lead-in line, "" for a journalist's, ANSWER for the answer
        in a transcript of questions and answers, None if the line is not a lead-in."""
        if match := QUESTION_ANSWER.match(line):
            return ANSWER if match.group("mark").lower() in ANSWERS else ""
        if match := LEAD_IN_TITLE.search(line):
            return match.group("who")
        if (
            _heading(line)
            and (match := TITLE_STATEMENT.match(line))
            and self._names_a_speaker(match.group("who"))
        ):
            return match.group("who")
        if match := JA_LEAD_IN.search(line):
            who = match.group("who") or match.group("speaker")
            return who if ROLE_WORD.search(who) else ""  # 【記者】 is a journalist.
        if _byline(line):
            return line
        head, colon, _rest = line.partition(":") if ":" in line else line.partition("：")
        if not colon or len(head) > 240 or "?" in head:
            return None
        if match := LEAD_IN_ISSUED.search(head):
            return match.group("who")
        if NOT_A_LEAD_IN.match(head):
            return None
        if verb := SPEECH_VERB.search(head):
            before, after = head[: verb.start()].strip(), head[verb.end() :].strip()
            return after if len(after.split()) > 1 and ROLE_WORD.search(after) else before
        if len(head.split()) <= 10 and (
            ROLE_WORD.search(head) or self._known(head) or OFFICIAL_LEAD_IN.match(head)
        ):
            return head
        if find_actors(head):
            return None  # "DPRK: Statement by …" is a topic, not a speaker.
        return "" if len(head.split()) <= 6 else None

    def _names_a_speaker(self, phrase):
        """A heading's phrase that names an office or an actor other than the launching state."""
        codes = {m.code for m in find_actors(phrase)}
        return bool(ROLE_WORD.search(phrase) or codes - {LAUNCHING_STATE})

    def _voice_of(self, who, line):
        """The speaker a lead-in names: a person met before, or an actor (named, the
        publisher's, or the state the text names most) with the name and role it gives."""
        who = re.sub(r"\s*\((?:[^)]*\d[^)]*)\)", "", who)
        # "Ambassador Fu Cong at the UN Security Council": the Council is where, not who.
        who = re.split(WHERE, who)[0]
        known = self._known(who)
        if known:
            return replace(known, issued_on=self._date_in(line) or known.issued_on)
        code = actor_in(who) or (self.publisher.actor if self.publisher else None)
        code = code or self._most_named_actor
        if not code:
            return None
        name, role = _name_and_role(who)
        if not (name or role) and len(who.split()) <= LONGEST_ROLE:
            role = who.strip()  # An office named alone: "USINDOPACOM statement on …".
        # The channel from the lead-in itself, not from the words it introduces.
        channel = _channel(line.partition(":")[0])
        speaker = Speaker(code, name, role, channel, self._date_in(line, last=True), official=True)
        self._remember(speaker)
        return speaker

    @cached_property
    def _most_named_actor(self):
        """The state a text names most, other than the launching one: a fallback voice."""
        counts = Counter(m.code for m in find_actors(self.text) if m.code != LAUNCHING_STATE)
        return counts.most_common(1)[0][0] if counts else None

    def _known(self, phrase):
        """The person met before whose surname `phrase` holds, or None."""
        for word in re.findall(r"\w+", phrase.lower()):
            if word in self.people:
                return self.people[word]
        return None

    def _remember(self, speaker):
        """Remember a named speaker by surname: the word in capitals ("HAYASHI Yoshimasa"),
        else the last one ("Dmitry Peskov"), and the longest, for names that run the other way."""
        words = speaker.name.split()
        if words:
            capitals = [word for word in words if word.isupper() and len(word) > 1]
            for surname in {*capitals[:1], words[-1], max(words, key=len)}:
                self.people[surname.lower()] = speaker

    # Quotations.

    def _quoted(self, sentence):
        """The new quotations that open in `sentence`, and where the last one handled ends (0 if
        none). A quotation with no attribution of its own that follows one directly, or one
        the same speaker's attribution splits ('"…," he said, "…"'), continues it."""
        found, upto, previous_end = [], 0, sentence.start
        lo = bisect_left(self.quote_starts, sentence.start)
        hi = bisect_left(self.quote_starts, sentence.end)
        for start, end in self.quotes[lo:hi]:
            quote = self.text[start:end]
            if not _long_enough(quote):
                continue
            last = self._sentence_at(max(end - 1, start)) or sentence
            frame_end = max(last.end, sentence.end)
            before = self.text[previous_end : start - 1]
            after = self.text[end + 1 : frame_end]
            speaker = self._quote_speaker(before, after)
            previous = self.open_quote
            if (
                previous
                and speaker in (None, previous.speaker)
                and self._continues(previous, start)
            ):
                previous.quote = f"{previous.quote} {quote}"
                previous.span = (previous.span[0], frame_end)
                previous.evidence = self.text[previous.span[0] : frame_end]
            elif speaker:
                evidence = self.text[sentence.start : frame_end]
                via = _via(f"{before} {after}")
                if not speaker.channel:
                    # "issued a statement, saying" holds for what "It added" next.
                    frame = VIA_PHRASE.sub(" ", f"{before} {after}")
                    speaker = replace(speaker, channel=_channel(frame))
                previous = Found(start, speaker, quote, "verbatim", evidence, via,
                                 (sentence.start, frame_end))  # fmt: skip
                found.append(previous)
            else:
                continue
            self.open_quote, self.last = previous, previous.speaker
            upto, previous_end = frame_end, end + 1
        return found, upto

    def _sentence_at(self, offset):
        """The sentence that holds `offset` (Article.sentence_at, by bisection)."""
        index = bisect_right(self.sentence_starts, offset) - 1
        sentence = self.article.sentences[index] if index >= 0 else None
        return sentence if sentence and offset < sentence.end else None

    def _continues(self, previous, start):
        """Only an attribution or white space lies between the previous quotation and this."""
        return previous.span[1] >= start or not self.text[previous.span[1] : start - 1].strip()

    def _quote_speaker(self, before, after):
        """Who says the quote: the subject of a speech verb before it ('X said, "…"'), or the
        one named after it ('"…," he said'); a colon before it also introduces a speaker.
        Of several verbs before it the last one's subject speaks ("A said …, while B said")."""
        before_clean = _without_quotes(before)
        verbs = list(SPEECH_VERB.finditer(before_clean))
        subjects = [before_clean[verbs[-2].end() : verbs[-1].start()]] if len(verbs) > 1 else []
        if verbs:
            subjects.append(before_clean[: verbs[0].start()])
        elif before_clean.rstrip().endswith((":", "：")):
            subjects.append(before_clean.rstrip()[:-1])
        for subject in subjects:
            if speaker := self._subject_speaker(subject):
                return speaker
        after_clean = _without_quotes(after)[:160]
        match = SAID_BY.match(after_clean) or INVERTED.search(after_clean)
        if match:
            return self._subject_speaker(match.group("subject"))
        if match := TOPIC.search(before_clean):
            return self._subject_speaker(match.group("subject"))
        return None

    # Reported speech.

    def _reported(self, sentence):
        """Reported speech: a reacting sentence attributed to a speaker, at its end ("…, she
        reported", the speaker of all of it) or as its subject ("The U.S. condemned …"). A
        subject naming only actors ("The United States, Japan and Korea condemned …") and a
        clause of another actor (", while Russia defended it") add a statement each. None
        for the launching state's own claim ("North Korea announced …"), which is no one's
        reaction, not even the text's voice's."""
        body, offset = self._without_lead_in(sentence)
        if not self._reacts(body, sentence):
            return []
        speakers = self._inverted_speakers(body) or self._subject_speakers(body)
        claims = LAUNCHING_STATE in {s.actor for s in speakers} and not _claims_reaction(body)
        speakers = [s for s in speakers if not (claims and s.actor == LAUNCHING_STATE)]
        if not speakers:
            return None if claims else []
        self.last = speakers[0]
        via = _via(body)
        return [
            Found(offset, speaker, body, "verbatim" if speaker == self.voice else "reported",
                  body, via)
            for speaker in speakers
        ]  # fmt: skip

    def _inverted_speakers(self, body):
        for match in INVERTED.finditer(body):
            # At the very start it is the subject's own verb, read by _subject_speakers.
            if match.start() and (speaker := self._subject_speaker(match.group("subject"))):
                return [speaker]
        return []

    def _subject_speakers(self, body):
        speakers = []
        for clause in re.split(CLAUSE, body):
            verb = SPEECH_VERB.search(clause)
            if not verb or len(clause[: verb.start()].split()) > LONGEST_SUBJECT:
                continue
            subject = clause[: verb.start()]
            if CJK.search(subject):
                # Japanese puts the verb last: the subject is the topic before は or が.
                topic = JA_SUBJECT.match(clause)
                if not topic:
                    continue
                subject = topic.group("subject")
            for speaker in self._coordinated(subject) or [self._subject_speaker(subject)]:
                if speaker and speaker.actor not in {s.actor for s in speakers}:
                    speakers.append(speaker)
        return speakers

    def _coordinated(self, subject):
        """One speaker per actor of a subject that only names actors: "The United States,
        Japan, and the Republic of Korea"."""
        mentions = find_actors(subject)
        rest = subject
        for mention in mentions:
            rest = rest.replace(mention.text, " ")
        if len({m.code for m in mentions}) < 2 or re.sub(COORDINATION, "", rest).strip():
            return []
        return [Speaker(code) for code in dict.fromkeys(m.code for m in mentions)]

    def _subject_speaker(self, subject):
        """The speaker a subject phrase names; in "drills, which North Korea condemned" the
        relative clause's subject speaks, if it names one."""
        whole = self._phrase_speaker(subject)
        *_, relative = RELATIVE.split(subject)
        inner = self._phrase_speaker(relative) if relative != subject else None
        return inner if inner and (whole is None or inner.actor != whole.actor) else whole

    def _phrase_speaker(self, subject):
        """The speaker a phrase names: an actor, a person met before, a pronoun for the last
        speaker, or "I"/"we" for the text's voice."""
        subject = VIA_PHRASE.sub(" ", subject).strip(" ,")
        words = subject.split()
        if not words or len(words) > LONGEST_SUBJECT:
            return None
        known = self._known(subject)
        code = actor_in(subject)
        if known and (code is None or code == known.actor):
            return known
        if code:
            name, role = _name_and_role(subject)
            if self.voice and code == self.voice.actor and not name:
                return self.voice
            speaker = Speaker(code, name, role)
            self._remember(speaker)
            return speaker
        if FIRST_PERSON.search(subject) and self.voice:
            return self.voice
        if PRONOUN.match(subject) and self.last:
            return self.last
        if self.voice and ROLE_WORD.search(subject) and len(words) <= LONGEST_ROLE:
            # "Foreign Minister Kim", "Außenministerin Baerbock": an official of the text's own.
            name, role = _name_and_role(subject)
            return replace(self.voice, name=name, role=role) if name else self.voice
        return None

    # The voice's own sentences.

    def _voiced(self, sentence):
        if self.voice is None:
            return []
        body, offset = self._without_lead_in(sentence)
        if not self._reacts(body, sentence):
            return []
        opening = OPENING.match(body)
        others = {m.code for m in find_actors(opening.group())} if opening else set()
        if others - {self.voice.actor, LAUNCHING_STATE}:
            return []  # Its subject is another actor: the voice reports, it does not react.
        return [Found(offset, self.voice, body, "verbatim", body)]

    def _without_lead_in(self, sentence):
        """The sentence without a "Name, Role:" lead-in or a paragraph number before it, and
        where what is left starts."""
        skip = self._lead_in_length(sentence.text)
        text = sentence.text[skip:]
        skip += NUMBERING.match(text).end()
        return sentence.text[skip:], sentence.start + skip

    def _lead_in_length(self, text):
        """How long the "Name, Role:" or "Q:" lead-in that opens `text` is; 0 if none."""
        if match := QUESTION_ANSWER.match(text):
            return match.end()
        if (match := JA_LEAD_IN.match(text)) and match.group("who"):
            return match.end()
        match = re.match(r"^([^:：\n]{2,120})[:：]\s*", text)
        if match and self._lead_in_speaker(match.group(1) + ":") is not None:
            return match.end()
        return 0

    def _reacts(self, body, sentence):
        """A sentence that reacts: a reaction word in a sentence long enough, not a question,
        not a heading (the text's last sentence may be cut short without its full stop)."""
        if not REACTION.search(body) or self._too_short(body) or body.endswith(("?", "？")):
            return False
        ended = re.search(r"[.!。！][\"'”’»」』)]*$", body)
        return bool(ended) or sentence.end >= len(self.text.rstrip())

    def _too_short(self, body):
        if CJK.search(body):
            return len(body) < MIN_CJK
        return len(body.split()) < MIN_WORDS

    # Output.

    def _date_in(self, text, *, last=False):
        """A date written in an attribution; in a lead-in the last one is the day it speaks
        ("zum Test am 26.06.2024 sagte ein Sprecher heute (28.06.2024):")."""
        found = [
            mention.date
            for mention in dates.find_dates(text, self.page_date, self.article.language)
            if mention.date and mention.day
        ]
        if found:
            return found[-1] if last else found[0]
        if re.search(r"\b(?:today|heute|aujourd'hui|本日)\b", text) and self.page_date:
            return self.page_date
        return None

    def _text_channel(self):
        # Only the kind of text is read here: a news agency named in it is not the channel.
        return _channel(f"{self.article.title}\n{self.text[:600]}", among=TEXT_CHANNELS)

    def as_dict(self, found):
        speaker = _on_record(found.speaker)
        issued = found.speaker.issued_on or self.page_date
        frame = VIA_PHRASE.sub(" ", found.evidence.replace(found.quote, " "))
        channel = found.speaker.channel or _channel(frame)
        if not channel and self.meeting:
            channel = "un_session"
        elif not channel and found.speaker.official:
            channel = self.channel_default or "written_statement"
        channel = channel or "remarks"
        return {
            "actor": speaker.actor,
            "speaker": {"name": speaker.name, "role": speaker.role},
            "quote": found.quote,
            "quote_kind": found.kind,
            "via": found.via,
            "issued_on": issued.isoformat() if issued else None,
            "channel": channel,
            "evidence": found.evidence,
        }


def _name_and_role(phrase):
    """("Dmitry Peskov", "Kremlin spokesman") from "Russia's Kremlin spokesman Dmitry Peskov"."""
    phrase = VIA_PHRASE.sub(" ", phrase)
    phrase = re.split(WHERE, phrase)[0]
    phrase = re.sub(
        r"^\W*(?:the|a|an|ein|eine|einer|der|die|le|la|les|un|une)\s+|^l['’]",
        "",
        phrase.strip(),
        flags=re.IGNORECASE,
    )
    # Names of actors are not a person's: "North Atlantic Council", "Chief Cabinet Secretary".
    masked = phrase
    for mention in find_actors(phrase):
        masked = masked.replace(mention.text, ",")
    name = next(filter(None, map(_person, NAME.finditer(masked))), "")
    if not name and (title := OFFICIAL_LEAD_IN.match(phrase)):
        name = phrase[title.end() - 1 :].strip()  # "MR MILLER": the surname alone.
    rest = phrase.replace(name, " ") if name else phrase
    parts = [HONORIFIC.sub("", part.strip()) for part in rest.split(",")]
    role = next((part for part in parts if ROLE_WORD.search(part)), "")
    if not role and re.match(r"\W*Ambassador\b", rest):
        role = "Ambassador"
    role = re.sub(r"^[\w.\s]+?['’]s\s+(?=\w)", "", role)
    role = re.sub(r"^(?:the|The|a|an|An|A)\s+|(?:\s+\w+ly)+$", "", role.strip())
    return name.strip(), role.strip(" .:")


def _person(match):
    """The name in a run of capitalised words, without the titles around it: the last run of
    two or more words that are neither titles nor names of actors."""
    runs, run = [], []
    for word in [*match.group().split(), ""]:
        # "Anne-Marie" is a name, "Secretary-General" and "Indo-Pacific" are not.
        parts = word.split("-")
        if word and not NOT_IN_NAME & set(parts) and not HONORIFIC.match(word):
            run.append(word)
        else:
            runs.append(run)
            run = []
    names = [" ".join(run) for run in runs if len(run) >= 2 and not find_actors(" ".join(run))]
    return names[-1] if names else ""


def _heading(line):
    """A line that is a title, not a sentence: short, and no full stop at its end."""
    return len(line.split()) <= LONGEST_HEADING and not re.search(r"[.!?。][\"'”’»」』)]*$", line)


def _byline(line):
    """A line that only names a person and their office: "Jane Doe, Department Spokesperson"."""
    if len(line.split()) > 12 or re.search(r"[.:;!?]$", line) or "," not in line:
        return False
    name, _comma, role = line.partition(",")
    return bool(
        NAME.fullmatch(name.strip())
        and _person(NAME.match(name.strip()))
        and ROLE_WORD.search(role)
    )


def _via(text):
    match = VIA.search(text)
    if not match:
        return ""
    outlet = match.group("outlet").strip(" ,.")
    return "" if actor_in(outlet) and not _channel_is_media(outlet) else outlet


def _channel_is_media(outlet):
    return _channel(outlet, among={"state_media"}) == "state_media"


def _channel(text, among=None):
    """The first channel whose cue `text` holds, of `among` (default: all of them)."""
    for channel, pattern in CHANNELS:
        if (among is None or channel in among) and pattern.search(text):
            return channel
    return ""


def _long_enough(quote):
    if CJK.search(quote):
        return len(quote) >= MIN_QUOTE_CJK
    return len(quote.split()) >= MIN_QUOTE_WORDS


def _without_quotes(text):
    return re.sub(r"[\"“”„«»「」『』‘’]", "", text)


def _on_record(speaker):
    """The speaker as on record for that actor when the name or role matches one."""
    for key in filter(None, (speaker.name, speaker.role)):
        recorded = (
            SpeakerOnRecord.objects.filter(actor__code=speaker.actor)
            .filter(Q(name__iexact=key) | Q(role__iexact=key))
            .order_by("id")
            .first()
        )
        if recorded:
            return replace(speaker, name=recorded.name, role=recorded.role or speaker.role)
    return speaker


def _claims_reaction(text):
    """The launching state reacts only when it condemns others (their drills, sanctions)."""
    return bool(re.search(r"condemn|denounc|verurteil|condamn|非難", text, re.IGNORECASE))


def _deduplicated(found, text):
    """One statement per actor and quote; a quote inside a longer one of the same actor goes,
    and so does reported speech that only introduces the speaker's quotation right after it
    ("Peskov defended the launch. "We respect …," he said.")."""
    kept = []
    for item in sorted(found, key=lambda f: f.start):
        if kept and _introduces(kept[-1], item, text):
            kept.pop()
        quote = " ".join(item.quote.split()).lower()
        if item.speaker.actor == LAUNCHING_STATE and not _claims_reaction(quote):
            continue  # The launching state's own claims are claims, not reactions.
        if any(
            k.speaker.actor == item.speaker.actor and quote in " ".join(k.quote.split()).lower()
            for k in kept
        ):
            continue
        kept.append(item)
    return kept


def _introduces(reported, quotation, text):
    between = text[reported.start + len(reported.evidence) : quotation.start]
    return (
        reported.kind == "reported"
        and quotation.kind == "verbatim"
        and reported.speaker.actor == quotation.speaker.actor
        and reported.speaker.name == quotation.speaker.name
        and not between.strip(' \n"“„«「『')
    )

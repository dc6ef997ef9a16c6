"""How well the extractor reads a folder of articles, against what an analyst found in them.

Each `NAME.txt` comes with `NAME.expected.json`:
{"source": {"url", "title", "publisher", "published_on"},
 "statements": [{"actor", "quote", "stance", ...}], "launch_date_kst": "YYYY-MM-DD"}.
The article is read as an analyst pastes it: its text with the expected source's URL.

What is counted, per article and in total:

- found: an expected statement is found when a proposed statement has the same actor and its
  quote together with its evidence sentence holds at least half of the expected quote's words
  (words are lower-cased runs of letters and digits; each CJK character counts as a word).
- quote overlap: of those found, the best such proposal's quote alone has a word-overlap F1 of
  at least 0.5 with the expected quote (so a quote ten sentences long does not pass).
- stance: of those found, the best proposal's stance is the expected one.
- date and channel (shown, no target): of those found, the best proposal's issued_on and
  channel agree with the expected ones, counted where the expected one is given.
- extra: proposals that match no expected statement. `expected` lists what an analyst
  recorded, not every statement in the text, so extras are to be read, not all wrong.
- launch: for articles that give `launch_date_kst`, the matched launch occurred that day.
- time: reading and extracting one article, after a warm-up read (the gazetteer is built and
  the date parser loaded once per process).
- source: title (same words in the same order), publisher (every word of the shorter name is
  in the longer: "United Nations" names "United Nations, Meetings Coverage and Press
  Releases"), publication date (same day), each counted where the expected one is given.
"""

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from desk.extraction import ArticleError, extract, read_article
from timeline.models import Launch

WARM_UP = "Statement by the Spokesperson\nDate: 1 January 2024\nWe condemn the launch."
FOUND_COVERAGE = 0.5
QUOTE_F1 = 0.5
WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]|[^\W_]+")


class EvaluationError(ValueError):
    """The folder cannot be evaluated; the message says why."""


@dataclass
class Score:
    name: str
    seconds: float = 0.0
    expected: int = 0
    found: int = 0
    quote: int = 0
    stance: int = 0
    dated: int = 0
    date_right: int = 0
    channelled: int = 0
    channel_right: int = 0
    extra: int = 0
    launch: bool | None = None
    source: dict = field(default_factory=dict)
    misses: list = field(default_factory=list)
    refused: str = ""


def evaluate(folder):
    """A Score for every article of `folder`, in name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EvaluationError(f"{folder} is not a folder.")
    texts = sorted(folder.glob("*.txt"))
    if not texts:
        raise EvaluationError(f"{folder} holds no *.txt articles.")
    _warm_up()
    return [score_article(path) for path in texts]


def _warm_up():
    """Read one short text first: the gazetteer is built and the date parser loaded once per
    process, and the time per article should not count that to the first article."""
    extract(read_article(WARM_UP))


def score_article(path):
    expected_path = path.with_name(path.stem + ".expected.json")
    if not expected_path.exists():
        raise EvaluationError(f"{path.name} has no {expected_path.name} beside it.")
    try:
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise EvaluationError(f"{expected_path.name} is not JSON: {error}") from None
    started = time.perf_counter()
    try:
        article = read_article(path.read_bytes(), url=expected.get("source", {}).get("url", ""))
    except ArticleError as error:
        # An article the desk refuses scores nothing; the others are still measured.
        score = Score(path.stem, refused=str(error))
        _score_statements(score, expected.get("statements", []), [])
        return score
    result = extract(article)
    score = Score(path.stem, seconds=time.perf_counter() - started)
    _score_statements(score, expected.get("statements", []), result["statements"])
    score.launch = _launch_matched(expected.get("launch_date_kst"), result["launch"])
    score.source = _source_right(expected.get("source", {}), result["source"])
    return score


def _score_statements(score, expected, proposed):
    matched = set()
    for statement in expected:
        score.expected += 1
        candidates = [
            (i, p)
            for i, p in enumerate(proposed)
            if p["actor"] == statement["actor"]
            and coverage(statement["quote"], f"{p['quote']} {p['evidence']}") >= FOUND_COVERAGE
        ]
        if not candidates:
            score.misses.append(f"{statement['actor']}: {statement['quote'][:70]}")
            continue
        index, best = max(candidates, key=lambda c: f1(statement["quote"], c[1]["quote"]))
        matched.add(index)
        score.found += 1
        score.quote += f1(statement["quote"], best["quote"]) >= QUOTE_F1
        score.stance += best.get("stance") == statement.get("stance")
        if statement.get("issued_on"):
            score.dated += 1
            score.date_right += best.get("issued_on") == statement["issued_on"]
        if statement.get("channel"):
            score.channelled += 1
            score.channel_right += best.get("channel") == statement["channel"]
    score.extra = len(proposed) - len(matched)


def words(text):
    return Counter(word.lower() for word in WORD.findall(text or ""))


def coverage(expected, found):
    """The share of the expected text's words that the found text holds."""
    wanted = words(expected)
    total = sum(wanted.values())
    return sum((wanted & words(found)).values()) / total if total else 0.0


def f1(expected, found):
    wanted, got = words(expected), words(found)
    common = sum((wanted & got).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(wanted.values())
    return 2 * precision * recall / (precision + recall)


def _launch_matched(date, launch):
    """True or False for an article that names its launch's date, None otherwise."""
    if not date:
        return None
    slug = (launch or {}).get("match")
    return bool(slug) and Launch.objects.filter(slug=slug, occurred_on=date).exists()


def _source_right(expected, found):
    """{field: True/False} for each source field the expected source gives."""
    checks = {
        "title": lambda want, got: _normal(want) == _normal(got),
        "publisher": _same_publisher,
        "published_on": lambda want, got: want == got,
    }
    return {
        name: check(expected[name], found.get(name) or "")
        for name, check in checks.items()
        if expected.get(name)
    }


def _same_publisher(want, got):
    shorter, longer = sorted((words(want), words(got)), key=lambda w: sum(w.values()))
    return bool(shorter) and not (shorter - longer)


def _normal(text):
    return " ".join(WORD.findall((text or "").lower()))


def report(scores):
    """The scores as the text `manage.py extract_eval` prints."""
    lines = []
    for score in scores:
        lines += _article_lines(score)
    lines += ["", *_total_lines(scores)]
    return "\n".join(lines) + "\n"


def _article_lines(score):
    launch = {None: "n/a", True: "matched", False: "not matched"}[score.launch]
    source = ", ".join(f"{name} {'ok' if ok else 'wrong'}" for name, ok in score.source.items())
    if score.refused:
        return [f"{score.name}  refused: {score.refused}"]
    lines = [
        f"{score.name}  ({score.seconds:.2f} s)",
        f"  statements found {score.found}/{score.expected}, quote overlap "
        f"{score.quote}/{score.found}, stance {score.stance}/{score.found}, extra {score.extra}",
        f"  issued_on {score.date_right}/{score.dated}, channel "
        f"{score.channel_right}/{score.channelled}",
        f"  launch {launch}; source: {source or 'nothing expected'}",
    ]
    return lines + [f"  missed {miss}" for miss in score.misses]


def _total_lines(scores):
    expected = sum(s.expected for s in scores)
    found = sum(s.found for s in scores)
    named = [s.launch for s in scores if s.launch is not None]
    fields = Counter()
    right = Counter()
    for score in scores:
        for name, ok in score.source.items():
            fields[name] += 1
            right[name] += ok
    seconds = [s.seconds for s in scores if not s.refused]
    refused = sum(bool(s.refused) for s in scores)
    lines = [
        f"Total: {len(scores)} articles ({refused} refused), {expected} expected statements",
        f"  found with the right actor  {_ratio(found, expected)}   (target 80%)",
        f"  quote overlap (of found)    {_ratio(sum(s.quote for s in scores), found)}   "
        "(target 80%)",
        f"  same stance (of found)      {_ratio(sum(s.stance for s in scores), found)}   "
        "(target 70%)",
        f"  launch matched              {_ratio(sum(named), len(named))}   (target 80%)",
        f"  issued_on (of found)        "
        f"{_ratio(sum(s.date_right for s in scores), sum(s.dated for s in scores))}",
        f"  channel (of found)          "
        f"{_ratio(sum(s.channel_right for s in scores), sum(s.channelled for s in scores))}",
        f"  extra statements            {sum(s.extra for s in scores)}",
    ]
    lines += [f"  source {name:<20} {_ratio(right[name], fields[name])}" for name in fields]
    if seconds:
        lines.append(
            f"  time per article            mean {sum(seconds) / len(seconds):.2f} s, "
            f"max {max(seconds):.2f} s"
        )
    return lines


def _ratio(part, whole):
    return f"{part}/{whole} = {100 * part / whole:.0f}%" if whole else f"{part}/0"

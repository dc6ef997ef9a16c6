"""The article as the extractor reads it: its main text, its metadata and its sentences.

A saved page goes through trafilatura, which finds the main text and the page's metadata
(title, site name, date, language); pasted text is taken as it is. Either way the input is
checked first, and refused whole with a reason a person can act on.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import py3langid
import trafilatura

# Longer than any official statement or news report by far; a page's HTML carries markup too.
MAX_TEXT = 200_000
MAX_HTML = 5_000_000
# Control characters other than tab and newline say the file is not text.
CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ArticleError(ValueError):
    """The input cannot be read as an article; the message says why."""


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass
class Article:
    text: str
    url: str = ""
    title: str = ""
    publisher: str = ""
    published_on: datetime.date | None = None
    language: str = ""
    sentences: list[Sentence] = field(default_factory=list)

    def sentence_at(self, offset):
        """The sentence that holds the character at `offset`, or None."""
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        return None


def read_article(raw, *, url="", html=False):
    """An Article from pasted text or a saved page (`html=True`); ArticleError if unreadable."""
    url = _checked_url(url)
    if isinstance(raw, bytes):
        raw = _decoded(raw, html=html)
    if "\x00" in raw:
        raise ArticleError("The text contains NUL bytes: it is not a text or HTML file.")
    article = _from_html(raw, url) if html else Article(text=_clean(raw), url=url)
    if not article.text.strip():
        raise ArticleError("There is no text to read: the article is empty.")
    if len(article.text) > MAX_TEXT:
        raise ArticleError(
            f"The text is {len(article.text):,} characters long; the desk reads articles of up "
            f"to {MAX_TEXT:,} characters. Paste the part that carries the statements."
        )
    if not article.language:
        article.language = py3langid.classify(article.text[:5000])[0]
    if not article.publisher and url:
        article.publisher = urlsplit(url).hostname.removeprefix("www.")
    article.sentences = split_sentences(article.text)
    return article


def _checked_url(url):
    url = (url or "").strip()
    if not url:
        return url
    try:
        parts = urlsplit(url)
        readable = parts.scheme in ("http", "https") and parts.hostname and parts.port != 0
    except ValueError:  # an unclosed [ of an IPv6 host, a port that is not a number
        readable = False
    if not readable or re.search(r"\s", url):
        raise ArticleError(f"{url[:200]!r} is not a web address (http:// or https://).")
    return url


def _decoded(raw, *, html):
    if len(raw) > (MAX_HTML if html else MAX_TEXT * 4):
        limit = MAX_HTML if html else MAX_TEXT * 4
        raise ArticleError(f"The file is {len(raw):,} bytes; the desk reads up to {limit:,}.")
    if b"\x00" in raw:
        raise ArticleError("The file contains NUL bytes: it is not a text or HTML file.")
    if html:
        # trafilatura reads the page's own charset declaration.
        return trafilatura.utils.decode_file(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(
            f"The file is not UTF-8 text (byte {error.start:,} cannot be read); "
            "save it as UTF-8 or upload the page as HTML."
        ) from None


def _clean(text):
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = CONTROL.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _from_html(page, url):
    if len(page) > MAX_HTML:
        raise ArticleError(
            f"The page is {len(page):,} characters; the desk reads up to {MAX_HTML:,}."
        )
    document = trafilatura.bare_extraction(
        page, url=url or None, with_metadata=True, include_comments=False, favor_recall=True
    )
    if document is None:
        raise ArticleError("No article text was found in this page.")
    meta = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    published = None
    if meta.get("date"):
        try:
            published = datetime.date.fromisoformat(meta["date"][:10])
        except ValueError:
            published = None
    return Article(
        text=_clean(meta.get("text") or ""),
        url=url or meta.get("url") or "",
        title=_clean(meta.get("title") or ""),
        publisher=_clean(meta.get("sitename") or ""),
        published_on=published,
        language=(meta.get("language") or "")[:2].lower(),
    )


# A full stop ends a sentence unless it ends one of these (case as written).
ABBREVIATIONS = {
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Lt", "Col", "Maj", "Capt", "Adm", "Sgt", "Gov",
    "Sen", "Rep", "Amb", "Pres", "St", "No", "Nos", "Art", "Para", "para", "paras", "vs", "etc",
    "e.g", "i.e", "approx", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
    "Oct", "Nov", "Dec", "U.S", "U.N", "U.K", "E.U", "S", "N", "Nr", "bzw", "z.B", "Abs",
    "M", "Mme", "cf", "Inc", "Co", "Ltd", "Jr", "Sr",
}  # fmt: skip
# A sentence ends at . ! ? (with closing quotes or brackets after them, German and French ones
# too) followed by a space and a capital, a digit or an opening quote ("« " in French); at
# Japanese and Chinese full stops unless a quotation closes right after ("…。」と述べた。" is
# one sentence); and at newlines.
END = re.compile(
    r"""[.!?](?:\s?[»›]|[\"'”’“)\]])*(?=\s+(?:[\"'“‘„(\[]|«\s?)?[A-Z0-9À-ÖØ-ÞА-Я])"""
    r"""|[。！？](?![」』])|\n+"""
)


def split_sentences(text):
    """The sentences of `text`, with their offsets, in order."""
    sentences = []
    start = 0
    for match in END.finditer(text):
        if match.group().startswith(".") and _abbreviation_before(text, match.start()):
            continue
        _add(sentences, text, start, match.end())
        start = match.end()
    _add(sentences, text, start, len(text))
    return sentences


def _abbreviation_before(text, dot):
    word = re.search(r"[\w.]+$", text[max(0, dot - 12) : dot])
    return bool(word) and (word.group() in ABBREVIATIONS or re.fullmatch(r"[A-Z]", word.group()))


def _add(sentences, text, start, end):
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        offset = start + len(chunk) - len(chunk.lstrip())
        sentences.append(Sentence(offset, offset + len(stripped), stripped))

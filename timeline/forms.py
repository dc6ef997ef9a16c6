"""Admin forms for the timeline: the rules an analyst meets, in the analyst's words."""

import http.client

from django.conf import settings
from django.core.exceptions import ValidationError
from trafilatura.metadata import extract_metadata
from trafilatura.utils import decode_file

from core import outbound
from core.text import NOT_TEXT
from editorial.forms import EditorialForm

from .models import LaunchClaim, Link, Source, validate_further_sources

USER_AGENT = "Salvo/1.0 (source titles)"


class TitleUnavailable(Exception):
    """The page's title could not be read; the message says why."""


def page_title(url):
    """The title of the page at `url`, fetched under the rules of every outbound request
    (core.outbound: public addresses only) within SOURCE_TITLE_TIMEOUT_SECONDS, from its
    first SOURCE_TITLE_MAX_BYTES; raises TitleUnavailable saying why not."""
    timeout = settings.SOURCE_TITLE_TIMEOUT_SECONDS
    try:
        _, status, headers, content = outbound.get(
            url,
            limit=settings.SOURCE_TITLE_MAX_BYTES,
            timeout=timeout,
            allow_private=settings.SOURCE_TITLE_ALLOW_PRIVATE_ADDRESSES,
            headers={"User-Agent": USER_AGENT, "Accept": "text/html"},
        )
    except outbound.AddressRefused as exc:
        raise TitleUnavailable(str(exc)) from exc
    except TimeoutError as exc:
        raise TitleUnavailable(f"the page did not answer within {timeout:g} s.") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise TitleUnavailable(f"the page could not be read ({type(exc).__name__}).") from exc
    if status != 200:
        raise TitleUnavailable(f"the page answered HTTP {status}.")
    if headers.get_content_type() not in ("text/html", "application/xhtml+xml"):
        raise TitleUnavailable(f"the address gives {headers.get_content_type()}, not a page.")
    title = extract_metadata(decode_file(content)).title or ""
    title = " ".join(NOT_TEXT.sub(" ", title).split())
    if not title:
        raise TitleUnavailable("the page has no title.")
    return title[: Source._meta.get_field("title").max_length]


class SourceForm(EditorialForm):
    """A source whose URL is pasted with no title gets the page's title (fetched once, when
    the URL is new or changed); `title_problem` says why when it could not be read."""

    title_problem = ""

    class Meta:
        model = Source
        fields = ["url", "reference", "title", "publisher", "published_at", "language"]

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("url")
        wanted = url and not cleaned.get("title") and "url" in self.changed_data
        if wanted and not self._errors:
            try:
                cleaned["title"] = page_title(url)
            except TitleUnavailable as problem:
                self.title_problem = str(problem)
        return cleaned


class CitesSourcesForm(EditorialForm):
    """The form of a statement, link or claim: its further sources meet the services' rule
    (validate_further_sources) before anything is saved."""

    def clean(self):
        cleaned = super().clean()
        if "further_sources" in cleaned:
            further = list(cleaned["further_sources"] or [])
            try:
                validate_further_sources(cleaned.get("source"), further)
            except ValidationError as problem:
                self.add_error(None, problem)
        return cleaned


class LaunchClaimForm(CitesSourcesForm):
    class Meta:
        model = LaunchClaim
        fields = [
            "launch",
            "attribute",
            "value_text",
            "value",
            "value_max",
            "claimant",
            "note",
            "position",
            "source",
            "further_sources",
        ]
        error_messages = {
            "value_text": {"required": "Write the figure as it was stated, e.g. “~700”."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Imported claims may lack a claimant; one entered by hand names who said it.
        self.fields["claimant"].required = True
        self.fields["claimant"].error_messages["required"] = (
            "Say who claimed this figure: JCS, Japan MoD, KCNA…"
        )


class LinkForm(CitesSourcesForm):
    class Meta:
        model = Link
        fields = [
            "launch",
            "event",
            "relation",
            "rationale",
            "confidence",
            "source",
            "further_sources",
            "status",
        ]
        error_messages = {
            "rationale": {
                "required": "Give the rationale: why this launch and this event belong together."
            },
            "source": {"required": "Cite the source that ties this launch to the event."},
        }

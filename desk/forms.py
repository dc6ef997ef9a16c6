"""The desk's two steps as plain forms: the article in, then the proposals to confirm.

The review step is built from the extractor's JSON as initial data, and what the analyst
posts back is validated again from scratch: the posted values are the truth, and hidden
fields carry only what is shown (the text and the evidence sentences), never a decision.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from desk.extraction import ArticleError, read_article
from desk.extraction.document import MAX_HTML
from reactions.models import Channel, QuoteKind, Stance
from timeline.models import ClaimAttribute, EventKind, LinkConfidence, MissileClass, Relation

NEW = "new"
STANCES = {label.lower(): value for value, label in Stance.choices}
QUOTE_KINDS = {"verbatim": QuoteKind.VERBATIM, "reported": QuoteKind.PARAPHRASE}


class ArticleForm(forms.Form):
    """Step 1: the article, as a URL with its text pasted, or as a saved page."""

    url = forms.URLField(
        label="Article URL",
        required=False,
        assume_scheme="https",
        max_length=1000,
        help_text="Where the article can be read; it is cited as the source.",
    )
    text = forms.CharField(
        label="Article text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Paste the report or the official statement.",
    )
    page = forms.FileField(
        label="Or a saved page (.html)",
        required=False,
        help_text="The page as saved by the browser; its title, publisher and date are read.",
    )

    def clean(self):
        cleaned = super().clean()
        page, text = cleaned.get("page"), cleaned.get("text", "")
        if self.errors:
            return cleaned
        if page is None and not text.strip():
            raise ValidationError("Paste the article's text or upload a saved page.")
        if page is not None and page.size > MAX_HTML:
            self.add_error(
                "page", f"The file is {page.size:,} bytes; the desk reads up to {MAX_HTML:,}."
            )
            return cleaned
        raw, html = (page.read(), True) if page is not None else (text, False)
        try:
            self.article = read_article(raw, url=cleaned.get("url", ""), html=html)
        except ArticleError as error:
            self.add_error("page" if html else "text", str(error))
        return cleaned


class RowForm(forms.Form):
    """A proposal the analyst keeps or drops: a dropped row is not validated at all.

    Every select has an initial value (or a blank first option), so that a blank row the
    browser posts back as it was shown counts as unchanged and is skipped.
    """

    keep = forms.BooleanField(label="Keep", required=False, initial=True)

    def full_clean(self):
        if self.is_bound and not self["keep"].field.widget.value_from_datadict(
            self.data, self.files, self.add_prefix("keep")
        ):
            self._errors, self.cleaned_data = ErrorDict(), {"keep": False}
            return
        super().full_clean()

    @property
    def kept(self):
        return self.is_valid() and bool(self.cleaned_data.get("keep"))


class SourceForm(forms.Form):
    """The source and the day the statements were issued: entered once for every row."""

    url = forms.URLField(label="URL", max_length=1000, assume_scheme="https")
    title = forms.CharField(label="Title", max_length=500, required=False)
    publisher = forms.CharField(label="Publisher", max_length=200, required=False)
    published_on = forms.DateField(label="Published on", required=False)
    language = forms.CharField(label="Language", max_length=16, required=False)
    issued_on = forms.DateField(
        label="Statements issued on",
        help_text="For every statement whose own date is left empty.",
    )


class LaunchForm(forms.Form):
    """The launch the article concerns: one on record, or a new draft with these fields."""

    launch = forms.ChoiceField(label="Launch")
    # The extractor's match and alternatives, listed first; display only.
    proposed = forms.CharField(widget=forms.HiddenInput, required=False)
    occurred_on = forms.DateField(label="Date (local)", required=False)
    time_note = forms.CharField(label="Time as reported", max_length=200, required=False)
    launching_state = forms.CharField(label="Launching state", max_length=2, initial="KP")
    missile_count = forms.IntegerField(label="Missile count", min_value=1, required=False)
    missile_class = forms.ChoiceField(
        label="Missile class", choices=MissileClass.choices, initial=MissileClass.UNKNOWN
    )
    missile_name = forms.CharField(label="Missile name", max_length=300, required=False)
    launch_site = forms.CharField(label="Launch site", max_length=300, required=False)
    direction = forms.CharField(label="Direction", max_length=300, required=False)
    reporting_authority = forms.CharField(label="Reported by", max_length=300, required=False)

    NEW_FIELDS = (
        "occurred_on",
        "time_note",
        "launching_state",
        "missile_count",
        "missile_class",
        "missile_name",
        "launch_site",
        "direction",
        "reporting_authority",
    )

    def __init__(self, *args, launches, **kwargs):
        super().__init__(*args, **kwargs)
        self.launches = {launch.slug: launch for launch in launches}
        proposed = [s for s in (self["proposed"].value() or "").split() if s in self.launches]
        others = [slug for slug in self.launches if slug not in proposed]
        self.fields["launch"].choices = [
            *([("Proposed from the text", self._options(proposed))] if proposed else []),
            (NEW, "A new draft launch, with the fields and claims below"),
            ("Other launches on record, newest first", self._options(others)),
        ]

    def _options(self, slugs):
        return [(slug, launch_label(self.launches[slug])) for slug in slugs]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("launch") == NEW and not cleaned.get("occurred_on"):
            self.add_error("occurred_on", "A new launch needs its date.")
        return cleaned

    def chosen(self):
        """{"launch": Launch} or {"new": fields}: what desk_submit takes."""
        if self.cleaned_data["launch"] != NEW:
            return {"launch": self.launches[self.cleaned_data["launch"]]}
        new = {name: self.cleaned_data[name] for name in self.NEW_FIELDS}
        return {"new": {name: value for name, value in new.items() if value not in (None, "")}}


class ClaimForm(RowForm):
    attribute = forms.ChoiceField(
        label="Figure", choices=ClaimAttribute.choices, initial=ClaimAttribute.DISTANCE
    )
    value_text = forms.CharField(label="As stated", max_length=300)
    value = forms.DecimalField(label="Number", max_digits=10, decimal_places=2, required=False)
    claimant = forms.CharField(label="Claimed by", max_length=200)


class StatementForm(RowForm):
    actor = forms.ChoiceField(label="Actor")
    speaker_name = forms.CharField(
        label="Speaker",
        max_length=200,
        required=False,
        help_text="A speaker of this actor with this name is reused; otherwise one is created.",
    )
    speaker_role = forms.CharField(label="Role", max_length=200, required=False)
    quote = forms.CharField(label="Quote", widget=forms.Textarea(attrs={"rows": 3}))
    quote_kind = forms.ChoiceField(
        label="Quote kind", choices=QuoteKind.choices, initial=QuoteKind.VERBATIM
    )
    via = forms.CharField(label="Via", max_length=200, required=False)
    issued_on = forms.DateField(label="Issued on", required=False)
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices, initial=Channel.WRITTEN)
    stance = forms.TypedChoiceField(
        label="Stance", choices=[("", "—"), *Stance.choices], coerce=int
    )
    themes = forms.CharField(
        label="Themes", max_length=1000, required=False, help_text="Separated by commas."
    )
    evidence = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actors, **kwargs):
        super().__init__(*args, **kwargs)
        self.actors = actors
        self.fields["actor"].choices = [("", "—"), *((code, str(a)) for code, a in actors.items())]

    def statement(self, issued_on):
        """The row as desk_submit takes it."""
        data = dict(self.cleaned_data)
        del data["keep"], data["evidence"]
        data["actor"] = self.actors[data["actor"]]
        data["issued_on"] = data["issued_on"] or issued_on
        data["themes"] = [name.strip() for name in data["themes"].split(",") if name.strip()]
        return data


class EventForm(RowForm):
    event = forms.ChoiceField(label="Event", initial=NEW)
    kind = forms.ChoiceField(label="Kind", choices=[("", "—"), *EventKind.choices], required=False)
    title = forms.CharField(label="Title", max_length=400, required=False)
    start_date = forms.DateField(label="Date", required=False)
    relation = forms.ChoiceField(
        label="Relation to the launch", choices=Relation.choices, initial=Relation.TIMED_WITH
    )
    confidence = forms.ChoiceField(
        label="Confidence", choices=LinkConfidence.choices, initial=LinkConfidence.MEDIUM
    )
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.events = events
        on_record = [(slug, event_label(event)) for slug, event in events.items()]
        self.fields["event"].choices = [
            (NEW, "A new draft event, as described here"),
            ("Events on record, newest first", on_record),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("event") == NEW:
            for name in ("kind", "title", "start_date"):
                if not cleaned.get(name):
                    self.add_error(name, "A new event needs this.")
        return cleaned

    def event_row(self):
        """The row as desk_submit takes it."""
        data = self.cleaned_data
        new = data["event"] == NEW
        return {
            "event": None if new else self.events[data["event"]],
            "new": {name: data[name] for name in ("kind", "title", "start_date")} if new else {},
            "relation": data["relation"],
            "rationale": data["rationale"],
            "confidence": data["confidence"],
        }


class FinishForm(forms.Form):
    submit_for_review = forms.BooleanField(label="Submit for review", required=False)
    # Shown again beside the rows; it decides nothing.
    text = forms.CharField(widget=forms.HiddenInput, required=False)


ClaimFormSet = forms.formset_factory(ClaimForm, extra=1)
StatementFormSet = forms.formset_factory(StatementForm, extra=2)
EventFormSet = forms.formset_factory(EventForm, extra=1)


def launch_label(launch):
    """A launch told apart from the others of its day: date, time, class, name, status."""
    when = launch.local_time.strftime("%H:%M") if launch.occurred_at else launch.time_note
    parts = [str(launch.occurred_on), when, launch.missile_class, launch.missile_name]
    return " · ".join(p for p in parts if p) + f" ({launch.get_status_display().lower()})"


def event_label(event):
    return f"{event.start_date} · {event.title} ({event.get_status_display().lower()})"

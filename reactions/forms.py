"""Admin forms for statements: required fields and duplicates in the analyst's words; and the
reader's search form."""

from django import forms
from django.core.exceptions import ValidationError

from timeline.forms import CitesSourcesForm

from .models import DUPLICATE_QUOTE, Statement


class StatementForm(CitesSourcesForm):
    class Meta:
        model = Statement
        fields = [
            "launch",
            "actor",
            "co_signers",
            "speaker",
            "issued_on",
            "issued_at",
            "channel",
            "quote",
            "quote_kind",
            "original_text",
            "original_language",
            "summary",
            "stance",
            "themes",
            "source",
            "further_sources",
            "via",
            "status",
        ]
        error_messages = {
            "quote": {"required": "Paste the quote: the words as published."},
            "source": {"required": "Cite the source the quote was taken from."},
            "actor": {"required": "Say who reacted: a state or an organisation."},
            "stance": {"required": "Choose the stance the statement takes on the launch."},
            "issued_on": {"required": "Give the day it was issued (UTC)."},
        }
        widgets = {"quote": forms.Textarea(attrs={"rows": 4})}


class StatementFormSet(forms.BaseInlineFormSet):
    """The statements entered on one launch form: the same quote twice is refused."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            key = (form.cleaned_data.get("actor"), form.cleaned_data.get("quote", "").strip())
            if None in key or "" in key:
                continue
            if key in seen:
                form.add_error("quote", ValidationError(DUPLICATE_QUOTE, code="unique"))
            seen.add(key)


class SearchForm(forms.Form):
    """The words a reader searches for (a sentence at most, and no NUL, which no database
    could compare), and which page of one kind of result to show."""

    KINDS = {
        "statements": "Statements",
        "launches": "Launches",
        "events": "Events",
        "actors": "Countries and organisations",
        "speakers": "Speakers",
    }

    q = forms.CharField(required=False, max_length=200, label="Words")
    kind = forms.ChoiceField(required=False, choices=KINDS.items(), label="Results of one kind")
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000, label="Page")

"""One FilterSet per resource, shared by the HTML pages and the API."""

import django_filters
from django.db.models import Exists, OuterRef

from timeline import filters as timeline_filters
from timeline.filters import UpdatedSinceFilterSet, WholeNumberFilter, YearFilter

from .models import Actor, ActorKind, Channel, Speaker, Stance, Statement
from .regions import ORGANISATIONS, REGION_CHOICES, states_in


class LaunchFilter(timeline_filters.LaunchFilter):
    """Launches, also by the reactions to them: the timeline page's, the matrix's and the
    API's launch filter."""

    actor = django_filters.CharFilter(
        method="filter_reactions", help_text="Code of an actor that reacted (US, RU, UN…)."
    )
    stance = WholeNumberFilter(
        method="filter_reactions",
        min_value=-2,
        max_value=2,
        help_text="A stance some reaction took: -2 condemns … +2 defends.",
    )

    class Meta(timeline_filters.LaunchFilter.Meta):
        pass

    def filter_reactions(self, queryset, name, value):
        # Applied in filter_queryset: actor and stance constrain the same statement.
        return queryset

    def filter_queryset(self, queryset):
        """Apply the filters; actor and stance together mean one reaction ("Russia defended it")."""
        queryset = super().filter_queryset(queryset)
        actor, stance = self.form.cleaned_data.get("actor"), self.form.cleaned_data.get("stance")
        if not actor and stance is None:
            return queryset
        statements = Statement.objects.published().filter(launch=OuterRef("pk"))
        if actor:
            statements = statements.filter(actor__code=actor.upper())
        if stance is not None:
            statements = statements.filter(stance=stance)
        return queryset.filter(Exists(statements))


# The form lists the reaction filters among the launch's own, as it always has.
LaunchFilter.base_filters = {
    name: LaunchFilter.base_filters[name]
    for name in (
        "updated_since",
        "date_from",
        "date_to",
        "year",
        "category",
        "missile_class",
        "actor",
        "stance",
        "site",
        "event_kind",
        "q",
    )
}


class StatementFilter(UpdatedSinceFilterSet):
    launch = django_filters.CharFilter(field_name="launch__slug", help_text="A launch's slug.")
    actor = django_filters.CharFilter(
        method="filter_actor", help_text="The speaking actor's code (US, RU, UN…)."
    )
    stance = django_filters.TypedChoiceFilter(choices=Stance.choices, coerce=int)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    theme = django_filters.CharFilter(field_name="themes__slug", help_text="A theme's slug.")
    date_from = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")
    year = YearFilter(field_name="issued_on")
    q = django_filters.CharFilter(
        method="filter_text",
        help_text="Words in quotes, summaries, speakers' names and roles or actors' names "
        '(or a demonym or capital: Russian, Kremlin); "a phrase" in double quotes.',
    )

    class Meta:
        model = Statement
        fields = []

    def filter_actor(self, queryset, name, value):
        return queryset.filter(actor__code=value.upper())

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)


class ActorFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActorKind.choices)
    q = django_filters.CharFilter(
        method="filter_text",
        help_text="Words in names or codes, or a demonym or capital (Russian, Kremlin).",
    )

    class Meta:
        model = Actor
        fields = []

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)


class SpeakerFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(method="filter_actor", help_text="The actor's code.")
    q = django_filters.CharFilter(method="filter_text", help_text="Words in names or roles.")

    class Meta:
        model = Speaker
        fields = []

    def filter_actor(self, queryset, name, value):
        return queryset.filter(actor__code=value.upper())

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)


class ActorIndexFilter(django_filters.FilterSet):
    """The actor index's filters: a region (or the organisations), and a stance the actor
    took at least once in a statement readers may see."""

    region = django_filters.ChoiceFilter(
        choices=REGION_CHOICES, method="filter_region", label="Region"
    )
    stance = django_filters.TypedChoiceFilter(
        choices=Stance.choices, coerce=int, method="filter_stance", label="Stance taken"
    )

    class Meta:
        model = Actor
        fields = []

    def filter_region(self, queryset, name, value):
        if value == ORGANISATIONS:
            return queryset.filter(kind=ActorKind.ORGANISATION)
        return queryset.filter(kind=ActorKind.STATE, code__in=states_in(value))

    def filter_stance(self, queryset, name, value):
        taken = Statement.objects.visible().filter(actor=OuterRef("pk"), stance=value)
        return queryset.filter(Exists(taken))

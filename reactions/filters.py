"""One FilterSet per resource, shared by the HTML pages and the API."""

import django_filters
from django.db.models import Q

from timeline.filters import UpdatedSinceFilterSet, YearFilter

from .models import Actor, ActorKind, Channel, Speaker, Stance, Statement


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
        method="filter_text", help_text="Words in quotes, summaries or speakers' names."
    )

    class Meta:
        model = Statement
        fields = []

    def filter_actor(self, queryset, name, value):
        return queryset.filter(actor__code=value.upper())

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(quote__icontains=value)
            | Q(original_text__icontains=value)
            | Q(summary__icontains=value)
            | Q(speaker__name__icontains=value)
        )


class ActorFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActorKind.choices)
    q = django_filters.CharFilter(method="filter_text", help_text="Words in names or codes.")

    class Meta:
        model = Actor
        fields = []

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(code__iexact=value)
        )


class SpeakerFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(method="filter_actor", help_text="The actor's code.")
    q = django_filters.CharFilter(method="filter_text", help_text="Words in names or roles.")

    class Meta:
        model = Speaker
        fields = []

    def filter_actor(self, queryset, name, value):
        return queryset.filter(actor__code=value.upper())

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(role__icontains=value))

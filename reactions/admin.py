"""The analyst's desk for reactions: statements, inline on their launch, and who speaks."""

from django.contrib import admin

from core.admin import LabelledChoices
from editorial.admin import EditorialAdmin, EditorialInline, HistoryAdmin, year_filter
from timeline.admin import LaunchAdmin
from timeline.models import Launch

from .forms import StatementForm, StatementFormSet
from .models import Actor, Speaker, Statement, Theme


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Speaker)
class SpeakerAdmin(HistoryAdmin):
    list_display = ["name", "role", "actor"]
    list_filter = [("actor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["actor"]
    search_fields = ["name", "role", "actor__name", "actor__code"]
    autocomplete_fields = ["actor"]
    csv_fields = ["id", "actor", "name", "role"]

    def get_search_results(self, request, queryset, search_term):
        """In a statement's speaker autocomplete, only the speakers of the actor chosen beside
        it (statement_form.js sends it as `actor`)."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        actor = request.GET.get("actor", "")
        if request.GET.get("model_name") == "statement" and actor.isdigit():
            queryset = queryset.filter(actor_id=actor)
        return queryset, may_have_duplicates


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


# Who, with what stance, first: the stance is judged as the quote is read, not after the rest.
STATEMENT_FIELDSETS = [
    (None, {"fields": [("actor", "speaker"), "stance", ("issued_on", "issued_at"), "channel"]}),
    (
        None,
        {
            "fields": [
                "quote",
                "quote_kind",
                "summary",
                ("source", "via"),
                "further_sources",
                "themes",
                "status",
            ]
        },
    ),
]
# Narrows the speaker autocomplete to the chosen actor, and carries it into the "+" popup.
STATEMENT_FORM_JS = ["admin/js/jquery.init.js", "reactions/admin/statement_form.js"]


class StatementInline(EditorialInline, admin.StackedInline):
    model = Statement
    form = StatementForm
    formset = StatementFormSet
    extra = 1
    fieldsets = STATEMENT_FIELDSETS
    autocomplete_fields = ["actor", "speaker", "source", "further_sources", "themes"]
    classes = ["statements"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "speaker", "source")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            # Reactions mostly come the day of the launch (in UTC, as issued_on is).
            formset.form.base_fields["issued_on"].initial = obj.earliest_utc_day
        return formset


@admin.register(Statement)
class StatementAdmin(LabelledChoices, EditorialAdmin):
    form = StatementForm
    fieldsets = [
        (None, {"fields": ["launch", ("actor", "speaker"), "stance", "co_signers"]}),
        (None, {"fields": [("issued_on", "issued_at"), "channel"]}),
        (
            None,
            {
                "fields": [
                    "quote",
                    "quote_kind",
                    ("original_text", "original_language"),
                    "summary",
                    ("source", "via"),
                    "further_sources",
                    "themes",
                    "status",
                ]
            },
        ),
        (
            "Record",
            {"fields": ["entered_by", "reviewed_by", "published_at", "created_at", "updated_at"]},
        ),
    ]
    list_display = [
        "launch",
        "actor",
        "speaker",
        "stance",
        "channel",
        "status",
        "issued_on",
        "updated_at",
    ]
    list_filter = [
        "status",
        year_filter("issued_on"),
        "stance",
        "channel",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "launch__missile_class",
    ]
    search_fields = ["quote", "summary", "speaker__name", "actor__name", "via", "source__title"]
    autocomplete_fields = [
        "launch",
        "actor",
        "co_signers",
        "speaker",
        "source",
        "further_sources",
        "themes",
    ]
    readonly_fields = ["entered_by", "reviewed_by", "created_at", "updated_at"]
    date_hierarchy = "issued_on"
    csv_fields = [
        "id",
        "launch",
        "actor",
        "speaker",
        "issued_on",
        "issued_at",
        "channel",
        "stance",
        "quote_kind",
        "quote",
        "summary",
        "source",
        "via",
        "status",
        "published_at",
    ]

    class Media:
        js = STATEMENT_FORM_JS

    def get_queryset(self, request):
        return Statement.objects.for_admin()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


class LaunchWithStatementsAdmin(LaunchAdmin):
    """The launch form with its statements inline: an article is entered on one page."""

    inlines = [StatementInline, *LaunchAdmin.inlines]

    class Media:
        js = STATEMENT_FORM_JS


admin.site.unregister(Launch)
admin.site.register(Launch, LaunchWithStatementsAdmin)

"""The analyst's desk: roles, the review workflow, validation, export and changelist queries."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import Status
from reactions.models import DUPLICATE_QUOTE, Actor, Statement
from timeline.models import LaunchClaim, Link, Source

from .factories import (
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def member(group, username=None):
    user = User.objects.create_user(username or group.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def analyst(client):
    client.force_login(member("Analyst"))
    return client


@pytest.fixture
def editor(client):
    client.force_login(member("Editor"))
    return client


def change_url(instance):
    meta = instance._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def statement_data(statement, **changes):
    """The POST of a statement's change form, as the browser sends it."""
    data = {
        "launch": statement.launch_id,
        "actor": statement.actor_id,
        "speaker": statement.speaker_id or "",
        "issued_on": statement.issued_on.isoformat(),
        "issued_at_0": "",
        "issued_at_1": "",
        "channel": statement.channel,
        "quote": statement.quote,
        "quote_kind": statement.quote_kind,
        "original_text": "",
        "original_language": "",
        "summary": statement.summary,
        "stance": statement.stance,
        "source": statement.source_id,
        "via": statement.via,
    }
    return {**data, **changes}


def test_the_groups_hold_the_roles():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    analyst, editor = codenames("Analyst"), codenames("Editor")
    assert {"add_statement", "change_statement", "change_launch", "add_speaker"} <= analyst
    assert not {c for c in analyst if c.startswith(("publish_", "delete_"))}
    assert {"publish_statement", "publish_launch", "publish_event", "publish_link"} <= editor
    assert {"delete_statement", "delete_launch", "delete_source", "delete_speaker"} <= editor


def test_the_analyst_sees_status_read_only_and_no_publish_or_delete(analyst):
    statement = StatementFactory(status=Status.DRAFT)
    page = analyst.get(change_url(statement)).content.decode()
    assert 'name="status"' not in page
    assert "Save and submit for review" in page
    assert "deletelink" not in page
    actions = analyst.get(changelist_url(Statement)).context["action_form"].fields["action"]
    names = [name for name, _ in actions.choices]
    assert "submit_for_review" in names
    assert not {"publish", "delete_selected"} & set(names)


def test_the_analyst_cannot_publish_by_status_field_action_or_url(analyst):
    statement = StatementFactory(status=Status.REVIEW)
    analyst.post(change_url(statement), statement_data(statement, status=Status.PUBLISHED))
    analyst.post(
        changelist_url(Statement),
        {"action": "publish", "_selected_action": [statement.pk], "index": 0},
    )
    statement.refresh_from_db()
    assert statement.status == Status.REVIEW
    assert statement.published_at is None


def test_the_analyst_cannot_delete_by_url_or_action(analyst):
    statement = StatementFactory(status=Status.DRAFT)
    source = SourceFactory()
    meta = Statement._meta
    delete = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[statement.pk])
    assert analyst.post(delete, {"post": "yes"}).status_code == 403
    source_delete = reverse("admin:timeline_source_delete", args=[source.pk])
    assert analyst.post(source_delete, {"post": "yes"}).status_code == 403
    analyst.post(
        changelist_url(Statement),
        {"action": "delete_selected", "_selected_action": [statement.pk], "post": "yes"},
    )
    assert Statement.objects.filter(pk=statement.pk).exists()
    assert Source.objects.filter(pk=source.pk).exists()


def test_the_analysts_change_to_a_published_statement_is_refused(analyst):
    statement = StatementFactory(status=Status.PUBLISHED, summary="As published.")
    response = analyst.post(change_url(statement), statement_data(statement, summary="Edited."))
    assert response.status_code == 200
    assert "This statement is published: only an editor can change it." in (
        response.content.decode()
    )
    statement.refresh_from_db()
    assert (statement.summary, statement.status) == ("As published.", Status.PUBLISHED)


def test_the_analyst_submits_drafts_and_takes_them_back(analyst):
    drafts = StatementFactory.create_batch(2, status=Status.DRAFT)
    analyst.post(
        changelist_url(Statement),
        {"action": "submit_for_review", "_selected_action": [s.pk for s in drafts], "index": 0},
    )
    assert {s.status for s in Statement.objects.all()} == {Status.REVIEW}
    analyst.post(
        changelist_url(Statement),
        {"action": "return_to_draft", "_selected_action": [drafts[0].pk], "index": 0},
    )
    drafts[0].refresh_from_db()
    assert drafts[0].status == Status.DRAFT


def test_the_editor_publishes_through_the_workflow(editor):
    editor_user = User.objects.get(username="editor")
    waiting = StatementFactory(status=Status.REVIEW)
    response = editor.post(
        changelist_url(Statement),
        {"action": "publish", "_selected_action": [waiting.pk], "index": 0},
        follow=True,
    )
    assert "1 statement published." in response.content.decode()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reviewed_by) == (Status.PUBLISHED, editor_user)
    assert waiting.published_at is not None

    by_field = StatementFactory(status=Status.REVIEW)
    editor.post(change_url(by_field), statement_data(by_field, status=Status.PUBLISHED))
    by_field.refresh_from_db()
    assert (by_field.status, by_field.reviewed_by) == (Status.PUBLISHED, editor_user)
    assert [h.status for h in by_field.history.all()][:2] == ["published", "review"]


def test_the_editor_deletes(editor):
    statement = StatementFactory()
    delete = reverse("admin:reactions_statement_delete", args=[statement.pk])
    assert editor.post(delete, {"post": "yes"}).status_code == 302
    assert not Statement.objects.filter(pk=statement.pk).exists()


def test_the_review_queue_lists_the_longest_waiting_first(editor):
    first, second = StatementFactory.create_batch(2, status=Status.REVIEW)
    StatementFactory(status=Status.DRAFT)
    Statement.objects.filter(pk=second.pk).update(
        updated_at=first.updated_at - datetime.timedelta(hours=1)
    )
    changelist = editor.get(changelist_url(Statement), {"status__exact": "review"})
    assert [s.pk for s in changelist.context["cl"].result_list] == [second.pk, first.pk]
    page = editor.get(changelist_url(Statement)).content.decode()
    assert "Review queue" in page


def test_the_csv_export_cannot_run_formulas(editor):
    statement = StatementFactory(quote='=HYPERLINK("http://evil.example")', summary="+1 -1 @x")
    response = editor.post(
        changelist_url(Statement),
        {"action": "export_csv", "_selected_action": [statement.pk], "index": 0},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["quote"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["summary"] == "'+1 -1 @x"
    assert rows[0]["stance"] == "Condemns"
    assert rows[0]["actor"] == "United States"


def launch_form_data(launch, statements=(), claims=(), links=()):
    """The launch change form as posted, with inline statements, claims and links."""
    data = {
        "slug": launch.slug,
        "external_id": launch.external_id or "",
        "launching_state": launch.launching_state,
        "occurred_on": launch.occurred_on.isoformat(),
        "date_precision": launch.date_precision,
        "occurred_at_0": launch.occurred_at.date().isoformat() if launch.occurred_at else "",
        "occurred_at_1": launch.occurred_at.strftime("%H:%M:%S") if launch.occurred_at else "",
        "local_timezone": launch.local_timezone,
        "time_note": launch.time_note,
        "missile_count": launch.missile_count or "",
        "count_note": launch.count_note,
        "category": launch.category,
        "missile_class": launch.missile_class,
        "missile_type_label": "",
        "missile_name": launch.missile_name,
        "launch_site": "",
        "site_latitude": "",
        "site_longitude": "",
        "direction": "",
        "distance_km": "",
        "apogee_km": "",
        "flight_time_min": "",
        "outcome": launch.outcome,
        "outcome_note": "",
        "confidence": launch.confidence,
        "reporting_authority": "",
        "summary": launch.summary,
        "notes": launch.notes,
    }
    for prefix, rows in [("statements", statements), ("claims", claims), ("links", links)]:
        data |= {
            f"{prefix}-TOTAL_FORMS": len(rows),
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for n, row in enumerate(rows):
            data |= {f"{prefix}-{n}-{name}": value for name, value in row.items()}
    return data


def inline_statement(**changes):
    row = {
        "actor": Actor.objects.get(code="RU").pk,
        "speaker": "",
        "issued_on": "2024-01-01",
        "issued_at_0": "",
        "issued_at_1": "",
        "channel": "remarks",
        "stance": 2,
        "quote": "We respect the legitimate right of our friends.",
        "quote_kind": "verbatim",
        "summary": "",
        "source": SourceFactory().pk,
        "via": "",
    }
    return {**row, **changes}


def errors_of(response):
    """Every error message on an admin change form, inline ones included."""
    messages = [m for errors in response.context["adminform"].form.errors.values() for m in errors]
    for formset in response.context["inline_admin_formsets"]:
        messages += [m for form in formset.formset.errors for e in form.values() for m in e]
        messages += list(formset.formset.non_form_errors())
    return " ".join(messages)


def test_statements_entered_on_the_launch_are_drafts_by_their_analyst(analyst):
    launch = LaunchFactory(occurred_on=datetime.date(2024, 1, 1))
    response = analyst.post(
        change_url(launch),
        launch_form_data(launch, statements=[inline_statement()]) | {"_submit_for_review": "1"},
    )
    assert response.status_code == 302, errors_of(response)
    statement = Statement.objects.get(launch=launch)
    assert (statement.status, statement.entered_by.username) == (Status.REVIEW, "analyst")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"issued_on": "2023-12-31"}, "cannot be issued before the launch (compared in UTC)"),
        ({"quote": ""}, "Paste the quote: the words as published."),
        ({"source": ""}, "Cite the source the quote was taken from."),
    ],
)
def test_a_wrong_statement_is_refused_in_words_and_nothing_is_written(analyst, change, message):
    launch = LaunchFactory(occurred_on=datetime.date(2024, 1, 1))
    response = analyst.post(
        change_url(launch), launch_form_data(launch, statements=[inline_statement(**change)])
    )
    assert response.status_code == 200
    assert message in errors_of(response)
    assert not Statement.objects.exists()


def test_the_same_quote_twice_is_refused_readably(analyst):
    launch = LaunchFactory(occurred_on=datetime.date(2024, 1, 1))
    existing = StatementFactory(launch=launch, actor=Actor.objects.get(code="RU"))
    twice = inline_statement(quote="Said twice.")
    for rows in ([inline_statement(quote=existing.quote)], [twice, dict(twice)]):
        response = analyst.post(change_url(launch), launch_form_data(launch, statements=rows))
        assert response.status_code == 200
        assert DUPLICATE_QUOTE in errors_of(response)
    assert list(Statement.objects.all()) == [existing]


def test_the_same_quote_twice_is_refused_on_the_statement_form(analyst):
    existing = StatementFactory(status=Status.DRAFT)
    add = reverse("admin:reactions_statement_add")
    copy = statement_data(existing)
    response = analyst.post(add, copy)
    assert response.status_code == 200
    assert DUPLICATE_QUOTE in errors_of(response)
    assert Statement.objects.count() == 1


def test_a_claim_needs_a_claimant_and_a_link_a_rationale(analyst):
    launch = LaunchFactory()
    claim = {"attribute": "distance", "value_text": "~700", "position": 0, "claimant": ""}
    link = {
        "event": EventFactory().pk,
        "relation": "response_to",
        "rationale": "",
        "confidence": "medium",
        "source": SourceFactory().pk,
    }
    response = analyst.post(change_url(launch), launch_form_data(launch, claims=[claim]))
    assert "Say who claimed this figure" in errors_of(response)
    response = analyst.post(change_url(launch), launch_form_data(launch, links=[link]))
    assert "Give the rationale" in errors_of(response)
    assert not LaunchClaim.objects.exists()
    assert not Link.objects.exists()


CHANGELISTS = {
    "launch": lambda: LaunchFactory(),
    "launchclaim": lambda: LaunchClaim.objects.create(
        launch=LaunchFactory(),
        attribute="distance",
        value_text="~700",
        claimant="JCS",
        source=SourceFactory(),
    ),
    "event": lambda: EventFactory(),
    "link": lambda: LinkFactory(),
    "source": lambda: SourceFactory(),
    "speaker": lambda: SpeakerFactory(),
    "statement": lambda: StatementFactory(speaker=SpeakerFactory()),
    "actor": lambda: None,
    "theme": lambda: None,
}


@pytest.mark.parametrize("model_name", CHANGELISTS)
def test_a_changelist_makes_as_many_queries_for_many_rows_as_for_few(editor, model_name):
    app_label = (
        "reactions" if model_name in {"speaker", "statement", "actor", "theme"} else ("timeline")
    )
    url = reverse(f"admin:{app_label}_{model_name}_changelist")

    def queries_for(rows):
        for _ in range(rows):
            CHANGELISTS[model_name]()
        with CaptureQueriesContext(connection) as captured:
            response = editor.get(url)
            assert response.status_code == 200
            response.content.decode()
        return len(captured)

    few = queries_for(2)
    many = queries_for(20)
    print(f"{model_name}: {few} queries")
    assert few == many

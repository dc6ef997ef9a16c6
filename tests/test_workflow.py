"""Draft → review → published and back: who may, what it records, what it announces."""

import pytest
from django.contrib.auth.models import Permission, User

from editorial import signals
from editorial.models import Status
from editorial.services import TransitionRefused, record_transition

from .factories import StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    heard = []

    def receiver(sender, instance, **kwargs):
        heard.append((sender.__name__, instance.pk))

    signals.record_published.connect(receiver, weak=False)
    yield heard
    signals.record_published.disconnect(receiver)


def user_with(*codenames):
    user = User.objects.create_user(username="-".join(codenames) or "nobody")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def test_an_editor_publishes_and_the_record_is_stamped_and_announced(announced):
    statement = StatementFactory(status=Status.REVIEW)
    editor = user_with("change_statement", "publish_statement")
    record_transition(instance=statement, status=Status.PUBLISHED, user=editor)
    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED
    assert statement.reviewed_by == editor
    assert statement.published_at is not None
    assert announced == [("Statement", statement.pk)]
    assert [h.status for h in statement.history.all()] == ["published", "review"]


def test_an_analyst_may_submit_but_not_publish_or_unpublish(announced):
    analyst = user_with("change_statement")
    draft = StatementFactory(status=Status.DRAFT)
    record_transition(instance=draft, status=Status.REVIEW, user=analyst)
    with pytest.raises(TransitionRefused, match="may not publish statements"):
        record_transition(instance=draft, status=Status.PUBLISHED, user=analyst)
    published = StatementFactory(status=Status.PUBLISHED)
    with pytest.raises(TransitionRefused, match="may not unpublish statements"):
        record_transition(instance=published, status=Status.DRAFT, user=analyst)
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (Status.REVIEW, Status.PUBLISHED)
    assert announced == []

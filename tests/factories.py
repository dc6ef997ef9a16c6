import datetime

import factory
from django.contrib.auth.models import Permission, User

from editorial.models import Status
from reactions.models import Actor, Speaker, Stance, Statement
from timeline.models import (
    ClaimAttribute,
    Event,
    EventKind,
    Launch,
    LaunchClaim,
    Link,
    Relation,
    Source,
)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news.example/articles/{n}")
    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "news.example"


class LaunchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Launch

    slug = factory.Sequence(lambda n: f"launch-{n}")
    occurred_on = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n))
    occurred_at = factory.LazyAttribute(
        lambda o: datetime.datetime.combine(
            o.occurred_on, datetime.time(1, 30), tzinfo=datetime.UTC
        )
    )
    missile_count = 1
    category = "ballistic"
    missile_class = "SRBM"
    status = Status.PUBLISHED


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = EventKind.SANCTIONS
    title = factory.Sequence(lambda n: f"Sanctions package {n}")
    start_date = datetime.date(2024, 1, 1)
    status = Status.PUBLISHED


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Link

    launch = factory.SubFactory(LaunchFactory)
    event = factory.SubFactory(EventFactory)
    relation = Relation.RESPONSE_TO
    rationale = "Reported as a response."
    source = factory.SubFactory(SourceFactory)
    status = Status.PUBLISHED


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    actor = factory.LazyFunction(lambda: Actor.objects.get(code="US"))
    name = factory.Sequence(lambda n: f"Spokesperson {n}")


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    launch = factory.SubFactory(LaunchFactory)
    actor = factory.LazyFunction(lambda: Actor.objects.get(code="US"))
    issued_on = factory.LazyAttribute(lambda o: o.launch.occurred_on)
    quote = factory.Sequence(lambda n: f"We condemn launch number {n}.")
    stance = Stance.CONDEMNS
    source = factory.SubFactory(SourceFactory)
    status = Status.PUBLISHED


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LaunchClaim

    launch = factory.SubFactory(LaunchFactory)
    attribute = ClaimAttribute.DISTANCE
    value_text = "~700"
    value = 700
    claimant = "JCS"
    position = factory.Sequence(lambda n: n)


class UserFactory(factory.django.DjangoModelFactory):
    """A user with the permissions named by codename: `UserFactory(perms=["change_launch"])`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")

    @factory.post_generation
    def perms(self, create, codenames, **kwargs):
        if codenames:
            self.user_permissions.set(Permission.objects.filter(codename__in=codenames))

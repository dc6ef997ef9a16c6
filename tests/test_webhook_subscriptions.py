"""Webhook subscriptions belong to the account that made them; secrets are shown once."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from rest_framework.authtoken.models import Token

from webhooks import services
from webhooks.models import Subscription

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/subscriptions/"
TARGET = "https://93.184.215.14/salvo"


def integrator(username, **extra):
    """A user whose token has every webhook subscription permission, and the auth header."""
    user = User.objects.create_user(username, **extra)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="webhooks", codename__endswith="_subscription"
        )
    )
    return user, {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=user).key}"}


@pytest.fixture
def public_targets(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    return settings


@pytest.fixture
def alice(db):
    return integrator("alice")


@pytest.fixture
def mallory(db):
    return integrator("mallory")


def create(client, auth, **fields):
    body = {"name": "Wire desk", "target_url": TARGET, "event_types": ["launch.published"]}
    return client.post(URL, {**body, **fields}, content_type="application/json", **auth)


def test_the_secret_is_shown_once_in_the_creation_answer_and_never_in_reads(
    client, alice, public_targets
):
    user, auth = alice

    created = create(client, auth)

    assert created.status_code == 201, created.json()
    subscription = Subscription.objects.get()
    assert (subscription.owner, subscription.created_by) == (user, user)
    assert created.json() == {
        "id": subscription.pk,
        "name": "Wire desk",
        "target_url": TARGET,
        "event_types": ["launch.published"],
        "is_active": True,
        "secret": subscription.secret,
        "paused_at": None,
        "consecutive_failures": 0,
        "created_at": created.json()["created_at"],
    }
    detail = client.get(f"{URL}{subscription.pk}/", **auth).json()
    listed = client.get(URL, **auth).json()["results"]
    changed = client.patch(
        f"{URL}{subscription.pk}/", {"name": "Desk"}, content_type="application/json", **auth
    ).json()
    resumed = client.post(f"{URL}{subscription.pk}/resume/", **auth).json()
    assert [set(body) for body in (detail, *listed, changed, resumed)] == [
        set(created.json()) - {"secret"}
    ] * 4


def test_another_account_cannot_see_change_or_delete_a_subscription(
    client, alice, mallory, public_targets
):
    _, alice_auth = alice
    _, mallory_auth = mallory
    theirs = create(client, alice_auth, name="Alice's").json()
    mine = create(client, mallory_auth, name="Mallory's").json()
    detail = f"{URL}{theirs['id']}/"

    answers = [
        client.get(detail, **mallory_auth),
        client.patch(
            detail,
            {"target_url": "https://198.51.100.7/steal"},
            content_type="application/json",
            **mallory_auth,
        ),
        client.put(
            detail,
            {"name": "x", "target_url": TARGET, "event_types": ["launch.published"]},
            content_type="application/json",
            **mallory_auth,
        ),
        client.post(f"{detail}rotate-secret/", **mallory_auth),
        client.post(f"{detail}resume/", **mallory_auth),
        client.delete(detail, **mallory_auth),
    ]

    assert [a.status_code for a in answers] == [404] * 6
    assert [s["name"] for s in client.get(URL, **mallory_auth).json()["results"]] == ["Mallory's"]
    assert [s["id"] for s in client.get(URL, **alice_auth).json()["results"]] == [theirs["id"]]
    kept = Subscription.objects.get(pk=theirs["id"])
    assert (kept.name, kept.target_url, kept.secret) == ("Alice's", TARGET, theirs["secret"])
    assert Subscription.objects.filter(pk=mine["id"]).exists()


def test_rotating_the_secret_answers_the_new_one_once(client, alice, public_targets):
    _, auth = alice
    old = create(client, auth).json()

    rotated = client.post(f"{URL}{old['id']}/rotate-secret/", **auth)

    assert rotated.status_code == 200, rotated.json()
    subscription = Subscription.objects.get()
    assert subscription.secret != old["secret"]
    assert rotated.json() == {**old, "secret": subscription.secret}
    assert "secret" not in client.get(f"{URL}{old['id']}/", **auth).json()


def test_rotating_needs_the_change_permission(client, alice, public_targets):
    user, auth = alice
    subscription = create(client, auth).json()
    user.user_permissions.remove(Permission.objects.get(codename="change_subscription"))

    refused = client.post(f"{URL}{subscription['id']}/rotate-secret/", **auth)

    assert refused.status_code == 403
    assert Subscription.objects.get().secret == subscription["secret"]


def test_a_subscription_without_an_owner_is_a_superusers_alone(client, alice, public_targets):
    _, auth = alice
    orphan = services.subscription_create(
        owner=None, name="Made before owners", target_url=TARGET, event_types=["link.created"]
    )
    _, root_auth = integrator("root", is_superuser=True)

    assert client.get(URL, **auth).json()["results"] == []
    assert client.get(f"{URL}{orphan.pk}/", **auth).status_code == 404
    assert [s["id"] for s in client.get(URL, **root_auth).json()["results"]] == [orphan.pk]


def test_the_services_refuse_a_subscription_of_someone_else(alice, mallory, public_targets):
    alice_user, _ = alice
    mallory_user, _ = mallory
    subscription = services.subscription_create(
        owner=alice_user, name="Alice's", target_url=TARGET, event_types=["link.created"]
    )
    secret = subscription.secret

    for attempt in (
        lambda: services.subscription_update(
            subscription=subscription, user=mallory_user, target_url="https://198.51.100.7/"
        ),
        lambda: services.subscription_rotate_secret(subscription=subscription, user=mallory_user),
        lambda: services.subscription_resume(subscription=subscription, user=mallory_user),
        lambda: services.subscription_delete(subscription=subscription, user=mallory_user),
    ):
        with pytest.raises(services.SubscriptionNotFound):
            attempt()

    subscription.refresh_from_db()
    assert (subscription.target_url, subscription.secret) == (TARGET, secret)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://93.184.215.14:99999/salvo", "The port must be a number from 1 to 65535."),
        ("https://93.184.215.14:0/salvo", "The port must be a number from 1 to 65535."),
        ("http://93.184.215.14/salvo", "Only https URLs with a host can receive webhooks."),
    ],
)
def test_a_target_the_api_refuses_is_a_400_naming_the_field(
    client, alice, public_targets, url, message
):
    _, auth = alice
    refused = create(client, auth, target_url=url)
    assert (refused.status_code, refused.json()) == (400, {"target_url": [message]})
    assert not Subscription.objects.exists()


# The admin: superusers see every subscription; staff with the permissions their own.


def staff(username, **extra):
    user, _ = integrator(username, is_staff=True, **extra)
    return user


def admin_add(client, **fields):
    data = {
        "name": "Wire desk",
        "target_url": TARGET,
        "event_types": ["launch.published"],
        "is_active": "on",
    }
    return client.post(reverse("admin:webhooks_subscription_add"), {**data, **fields})


def test_staff_see_and_change_only_their_own_subscriptions_in_the_admin(client, public_targets):
    owner, other = staff("owner"), staff("other")
    client.force_login(owner)
    added = admin_add(client)
    assert added.status_code == 302
    client.get(added.url)  # where the secret is shown, once
    subscription = Subscription.objects.get()
    assert (subscription.owner, subscription.created_by) == (owner, owner)
    page = client.get(reverse("admin:webhooks_subscription_change", args=[subscription.pk]))
    assert subscription.secret not in page.content.decode()

    client.force_login(other)
    listed = client.get(reverse("admin:webhooks_subscription_changelist"))
    change = reverse("admin:webhooks_subscription_change", args=[subscription.pk])
    opened = client.get(change, follow=True)
    posted = client.post(
        change,
        {"name": "x", "target_url": "https://198.51.100.7/", "event_types": ["link.created"]},
    )
    deleted = client.post(
        reverse("admin:webhooks_subscription_delete", args=[subscription.pk]), {"post": "yes"}
    )

    assert "Wire desk" not in listed.content.decode()
    assert "doesn\u2019t exist" in opened.content.decode()
    assert (posted.status_code, deleted.status_code) == (302, 302)
    subscription.refresh_from_db()
    assert (subscription.name, subscription.target_url) == ("Wire desk", TARGET)


def test_the_admin_shows_the_secret_once_when_it_is_made_and_when_it_is_rotated(
    client, public_targets
):
    root = staff("root", is_superuser=True)
    client.force_login(root)

    added = admin_add(client, name="Desk")
    shown = client.get(added.url).content.decode()

    subscription = Subscription.objects.get()
    assert subscription.secret in shown
    again = client.get(reverse("admin:webhooks_subscription_change", args=[subscription.pk]))
    assert subscription.secret not in again.content.decode()
    old = subscription.secret
    rotated = client.post(
        reverse("admin:webhooks_subscription_changelist"),
        {"action": "rotate_secret", "_selected_action": [subscription.pk]},
        follow=True,
    )
    subscription.refresh_from_db()
    assert subscription.secret != old
    assert subscription.secret in rotated.content.decode()


def test_superusers_see_subscriptions_without_an_owner_in_the_admin(client, public_targets):
    orphan = services.subscription_create(
        owner=None, name="Made before owners", target_url=TARGET, event_types=["link.created"]
    )
    client.force_login(staff("editor"))
    assert (
        "Made before owners"
        not in client.get(reverse("admin:webhooks_subscription_changelist")).content.decode()
    )
    client.force_login(staff("root", is_superuser=True))
    page = client.get(reverse("admin:webhooks_subscription_change", args=[orphan.pk]))
    assert page.status_code == 200


def test_the_admin_refuses_an_invalid_port_with_a_message(client, public_targets):
    client.force_login(staff("root", is_superuser=True))
    refused = admin_add(client, target_url="https://93.184.215.14:99999/salvo")
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "target_url": ["The port must be a number from 1 to 65535."]
    }
    assert not Subscription.objects.exists()

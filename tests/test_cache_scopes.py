"""A publish makes stale the cached responses that show what it changed, and no others;
while one request renders a stale response again, the others get the previous copy for a
few seconds at most."""

import contextlib
import socket
import threading
import time

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import caching
from editorial.models import Status
from editorial.services import record_transition
from reactions.models import Actor

from .factories import LaunchFactory, StatementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("caching_on")]
REDIS_URL = "redis://127.0.0.1:6379/12"  # no other test uses this database


@pytest.fixture
def launches():
    """Two launches of one year, `earlier` then `latest`, each with a reaction."""
    earlier, latest = LaunchFactory(missile_name="Hwasong-11"), LaunchFactory(missile_name="KN-25")
    for launch in (earlier, latest):
        StatementFactory(launch=launch, quote=f"We condemn the {launch.missile_name} launch.")
    return earlier, latest


def warm(client, *paths):
    """The responses to `paths`, each asked twice: the second one is the cached copy."""
    for path in paths:
        client.get(path)
    return {path: client.get(path) for path in paths}


def publish_statement(launch, quote, on_commit, actor=None):
    actor = actor or Actor.objects.get(code="US")
    statement = StatementFactory(launch=launch, actor=actor, quote=quote, status=Status.DRAFT)
    with on_commit(execute=True):
        record_transition(instance=statement, status=Status.PUBLISHED)
    return statement


def rendered(client, path):
    """The response to `path`, and whether it was rendered (it asked the database)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries) > 0


def test_a_statement_leaves_other_launch_pages_cached_and_refreshes_its_own(
    client, launches, django_assert_num_queries, django_capture_on_commit_callbacks
):
    earlier, latest = launches
    other, own = earlier.get_absolute_url(), latest.get_absolute_url()
    before = warm(client, other, own, "/", "/api/v1/launches/")
    seoul = Actor.objects.get(code="KR")
    publish_statement(latest, "Words from Seoul.", django_capture_on_commit_callbacks, seoul)
    with django_assert_num_queries(0):
        untouched = client.get(other)
    assert untouched.content == before[other].content
    assert untouched["ETag"] == before[other]["ETag"]
    assert "Words from Seoul." in client.get(own).content.decode()
    # The lists show the launch: rendered again at once.
    front, again = rendered(client, "/")
    assert again
    assert front["ETag"] != before["/"]["ETag"]
    assert '<option value="KR"' in front.content.decode()  # reacted: one to filter by
    assert rendered(client, "/api/v1/launches/")[1]
    assert client.get(own)["X-Data-Version"] == before[own]["X-Data-Version"]  # not everything


def test_a_statement_refreshes_the_launches_that_count_who_usually_reacts(
    client, django_capture_on_commit_callbacks
):
    earlier, later = LaunchFactory(), LaunchFactory()
    page = later.get_absolute_url()
    before = warm(client, page)[page]
    # Spoken on the launch before it: no longer among those who have not spoken yet.
    publish_statement(earlier, "Seoul speaks.", django_capture_on_commit_callbacks)
    assert client.get(page).content != before.content


def test_drafts_bump_nothing(
    client, launches, django_assert_num_queries, django_capture_on_commit_callbacks
):
    _, latest = launches
    page = latest.get_absolute_url()
    before = warm(client, page, "/")
    bumped = dict(caching.local_bumps.last)
    with django_capture_on_commit_callbacks(execute=True):
        draft = StatementFactory(launch=latest, quote="Not yet.", status=Status.DRAFT)
        draft.quote = "Still not."
        draft.save()
        record_transition(instance=draft, status=Status.REVIEW)
    assert caching.local_bumps.last == bumped
    with django_assert_num_queries(0):
        for path in (page, "/"):
            assert client.get(path).content == before[path].content


def test_a_change_to_reference_data_bumps_everything(
    client, launches, django_capture_on_commit_callbacks
):
    earlier, _ = launches
    page = earlier.get_absolute_url()
    before = warm(client, page)[page]
    with django_capture_on_commit_callbacks(execute=True):
        actor = Actor.objects.get(code="US")
        actor.name = "United States of America (renamed)"
        actor.save()
    after, again = rendered(client, page)
    assert again
    assert after["X-Data-Version"] != before["X-Data-Version"]


@contextlib.contextmanager
def rendering():
    """Have the only response in the cache count as being rendered by another request."""
    (stored,) = [key for key in cache._cache if ":salvo:response:" in key]
    key = stored.split(":", 2)[2]
    caching._local_renders.add(key)
    yield
    caching._local_renders.discard(key)


def test_while_one_request_renders_others_get_the_copy_stale_for_a_few_seconds(
    client, launches, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.STALE_SECONDS = 3
    monkeypatch.setattr(caching, "RENDER_WAIT_SECONDS", 0.05)
    _, latest = launches
    page = latest.get_absolute_url()
    before = warm(client, page)[page]
    publish_statement(latest, "Fresh words.", django_capture_on_commit_callbacks)
    bumped_at = caching.local_bumps.seq
    with rendering():
        stale = client.get(page)
        assert stale.content == before.content
        # Stale for longer than STALE_SECONDS: not served; after a short wait for the
        # other request, rendered by this one.
        late = bumped_at + settings.STALE_SECONDS * 10**9
        monkeypatch.setattr(caching.time, "time_ns", lambda: late)
        assert "Fresh words." in client.get(page).content.decode()
    monkeypatch.undo()
    assert "Fresh words." in client.get(page).content.decode()  # stored by the one above


def test_while_another_request_renders_a_stale_page_others_stay_stale_for_a_few_seconds(
    client, launches, settings, django_capture_on_commit_callbacks
):
    # One stale page at a time is rendered again across the site: a stale page nobody
    # renders is served stale while another is, then rendered once the slot is free.
    settings.STALE_SECONDS = 3
    pages = [launch.get_absolute_url() for launch in launches]
    before = warm(client, *pages)
    for launch in launches:
        publish_statement(
            launch, f"Fresh words on {launch.pk}.", django_capture_on_commit_callbacks
        )
    caching._local_renders.add("revalidating:0")
    try:
        for page in pages:
            assert client.get(page).content == before[page].content
        # A page with no copy to serve is rendered whatever the slots.
        assert client.get("/matrix/").status_code == 200
    finally:
        caching._local_renders.discard("revalidating:0")
    caching._shared_looks.looked.clear()  # a moment later: each page is looked for again
    for page, launch in zip(pages, launches, strict=True):
        assert f"Fresh words on {launch.pk}." in client.get(page).content.decode()


def test_a_request_waits_for_a_response_another_renders(client, launches, monkeypatch):
    _, latest = launches
    page = latest.get_absolute_url()
    first = warm(client, page)[page]
    cache.clear()
    caching.local_responses.entries.clear()
    key = []
    start = caching._start_render

    def another_renders(name):
        # Another request renders it: the entry appears, and the lock ends, a moment later.
        key.append(name)
        caching._local_renders.add(name)

        def finish():
            time.sleep(0.1)
            caching._local_renders.discard(name)

        threading.Thread(target=finish).start()
        return None

    monkeypatch.setattr(caching, "_start_render", another_renders)
    waited = client.get(page)  # rendered by itself after the other stored nothing
    assert waited.content == first.content
    monkeypatch.setattr(caching, "_start_render", start)
    assert key
    assert not caching._local_renders


def redis_up():
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), 0.2):
        return True
    return False


@pytest.fixture
def redis_mode(settings):
    """The cache and its bumps in a real Redis, shared as by every process of a site."""
    if not redis_up():
        pytest.skip("needs a Redis server at 127.0.0.1:6379")
    settings.CACHE_URL = REDIS_URL
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    caching.forget_redis()
    caching.local_responses.entries.clear()
    caching.local_responses.size = 0
    yield client
    client.flushdb()
    caching.forget_redis()


def another_process():
    """A VersionWatch as another process has it, confirmed on the channel."""
    watch = caching.VersionWatch(
        redis.Redis.from_url(REDIS_URL), cache.make_key(caching.VERSION_KEY)
    )
    deadline = time.monotonic() + 5
    while not (watch.current() and watch.confirmed) and time.monotonic() < deadline:
        time.sleep(0.005)
    return watch


def test_with_redis_a_statement_leaves_other_launches_cached_in_every_process(
    client, launches, redis_mode, django_assert_num_queries, django_capture_on_commit_callbacks
):
    earlier, latest = launches
    other, own = earlier.get_absolute_url(), latest.get_absolute_url()
    before = warm(client, other, own)
    elsewhere = another_process()
    version = elsewhere.current()
    publish_statement(latest, "Words from Tokyo.", django_capture_on_commit_callbacks)
    with django_assert_num_queries(0):
        assert client.get(other).content == before[other].content
    assert "Words from Tokyo." in client.get(own).content.decode()
    # Another process hears of the bump on the channel; the version of everything stays.
    deadline = time.monotonic() + 1
    while f"launch-{latest.pk}" not in elsewhere.bumps.last and time.monotonic() < deadline:
        elsewhere.current()
    assert elsewhere.current() == version
    assert elsewhere.bumps.stale_since([f"launch-{earlier.pk}"], 0) is None
    assert elsewhere.bumps.stale_since([f"launch-{latest.pk}", "launches"], 0) > 0
    assert redis_mode.hget(cache.make_key(caching.BUMPS_KEY), f"launch-{latest.pk}")


def test_with_redis_a_process_that_missed_a_bump_catches_up_but_never_serves_it_stale(
    redis_mode, settings
):
    writer, reader = another_process(), another_process()
    reader.subscription.close()  # deaf, as if its messages were lost
    reader.subscription = None
    stamp = reader.bumps.seq
    writer.bump(["launch-7"])
    reader.must_read = True
    reader.current()  # a direct read: the list of last bumps
    assert reader.bumps.last["launch-7"] > stamp
    # When the first bump after the copy is not known, it is not served stale.
    assert reader.bumps.stale_since(["launch-7"], stamp) == 0


def test_with_redis_one_request_renders_and_others_do_not(redis_mode):
    assert caching._start_render("salvo:response:1:a") is not None
    assert caching._start_render("salvo:response:1:a") is None  # another process's request
    assert caching._rendering("salvo:response:1:a")
    assert caching._start_render("salvo:response:1:b") is not None


def test_a_statement_moved_to_another_launch_refreshes_both_and_those_after_them(
    client, django_capture_on_commit_callbacks
):
    first, second, third = LaunchFactory(), LaunchFactory(), LaunchFactory()
    statement = StatementFactory(launch=first, actor=Actor.objects.get(code="KR"))
    pages = [launch.get_absolute_url() for launch in (first, second, third)]
    before = warm(client, *pages)
    with django_capture_on_commit_callbacks(execute=True):
        statement.launch = third
        statement.save()
    for page in pages:  # the one it left, the one after it, the one it moved to
        assert client.get(page).content != before[page].content


def test_with_redis_a_stale_copy_here_gives_way_to_one_another_process_rendered(
    client, launches, redis_mode, django_assert_num_queries, django_capture_on_commit_callbacks
):
    _, latest = launches
    page = latest.get_absolute_url()
    warm(client, page)
    ((key, (old, _)),) = caching.local_responses.entries.items()
    publish_statement(latest, "Words from Canberra.", django_capture_on_commit_callbacks)
    fresh = client.get(page)  # rendered here, as it would be by another process
    caching.local_responses.put(key, old, seconds=60)  # this process kept the stale copy
    caching._shared_looks.looked.clear()  # and has not looked in Redis for a moment
    with django_assert_num_queries(0):
        again = client.get(page)
    assert again.content == fresh.content
    assert "Words from Canberra." in again.content.decode()


def test_a_process_looks_for_a_newer_copy_of_a_stale_page_at_most_every_moment():
    now = [0.0]
    looks = caching.SharedLooks(clock=lambda: now[0])
    assert looks.due("page")
    assert not looks.due("page")
    assert looks.due("another page")
    now[0] = caching.SharedLooks.SECONDS
    assert looks.due("page")

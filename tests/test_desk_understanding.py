"""What the desk understands of an article: stance and themes, the launch, the events, the
source. The texts are short ones written for these tests."""

import datetime

import pytest

from desk.extraction import read_article
from desk.extraction.dates import find_dates, find_times
from desk.extraction.events import find_events
from desk.extraction.launches import match_launch
from desk.extraction.pipeline import source
from desk.extraction.stance import suggest_stance, suggest_themes
from reactions.models import Theme
from timeline.models import EventKind

from .factories import EventFactory, LaunchFactory

KST = datetime.timezone(datetime.timedelta(hours=9))


@pytest.mark.parametrize(
    ("quote", "language", "stance", "words"),
    [
        ("We strongly condemn the launch.", "en", "condemns", ["condemn"]),
        ("This launch is totally unacceptable.", "en", "condemns", ["totally unacceptable"]),
        ("Such launches cannot be tolerated.", "en", "condemns", ["cannot be tolerated"]),
        ("This is not acceptable.", "en", "condemns", ["is not acceptable"]),
        (
            "The test does not pose an immediate threat.",
            "en",
            "neutral",
            ["not pose an immediate threat"],
        ),
        ("Der Test stellt keine Bedrohung dar.", "de", "neutral", ["keine Bedrohung"]),
        ("We are deeply concerned by the test.", "en", "concerned", ["concerned"]),
        (
            "We are concerned by and condemn this reckless act.",
            "en",
            "condemns",
            ["condemn", "reckless"],
        ),
        (
            "We call on all parties to exercise restraint.",
            "en",
            "neutral",
            ["all parties", "restraint"],
        ),
        (
            "It respects the legitimate right of the DPRK to ensure its own security.",
            "en",
            "defends",
            ["legitimate right"],
        ),
        (
            "More sanctions will not help the situation at all.",
            "en",
            "supportive",
            ["sanctions will not help"],
        ),
        ("The weather in the capital was mild.", "en", "neutral", []),
        (
            "Wir verurteilen den Raketenstart aufs Schärfste.",
            "de",
            "condemns",
            ["verurteilen", "aufs Schärfste"],
        ),
        ("Wir sind sehr besorgt über den Test.", "de", "concerned", ["besorgt"]),
        ("La France condamne fermement ce tir.", "fr", "condemns", ["condamne"]),
        ("Nous sommes préoccupés par ce tir.", "fr", "concerned", ["préoccupés"]),
        ("北朝鮮の弾道ミサイル発射を強く非難する。", "ja", "condemns", ["非難"]),
        ("日本政府は深い懸念を表明した。", "ja", "concerned", ["懸念"]),
    ],
)
def test_stance_from_cues(quote, language, stance, words):
    assert suggest_stance(quote, language) == (stance, words)


@pytest.mark.parametrize(
    ("quote", "language", "stance"),
    [
        # The threat is denied; the concern remains.
        ("The test does not pose a threat, but we remain concerned.", "en", "concerned"),
        ("The test does not pose an immediate threat to our territory.", "en", "neutral"),
        ("The government refused to condemn the launch.", "en", "neutral"),
        ("Wir verurteilen diesen Test nicht.", "de", "neutral"),
        ("Le tir ne représente pas une menace.", "fr", "neutral"),
        ("この発射は脅威ではない。", "ja", "neutral"),
    ],
)
def test_stance_negation(quote, language, stance):
    assert suggest_stance(quote, language)[0] == stance


@pytest.mark.django_db
def test_themes_are_those_on_record():
    Theme.objects.create(slug="violates-unsc-resolutions", name="violates UNSC resolutions")
    Theme.objects.create(slug="calls-for-dialogue", name="calls for dialogue")
    quote = (
        "The launch is a clear violation of Security Council resolutions; we urge a return to "
        "dialogue and call for denuclearization."
    )
    # "denuclearization" is a theme of the lexicon, not one on record.
    assert suggest_themes(quote, "en") == ["violates-unsc-resolutions", "calls-for-dialogue"]


SAME_DAY = (
    "Seoul, 14 March 2024\n"
    "North Korea fired a short-range ballistic missile toward the East Sea at 3:20 p.m. "
    "on March 14, the Joint Chiefs of Staff said."
)


@pytest.mark.django_db
def test_same_day_launches_told_apart_by_time_and_type():
    day = datetime.date(2024, 3, 14)
    morning = LaunchFactory(
        slug="morning-cruise",
        occurred_on=day,
        occurred_at=datetime.datetime(2024, 3, 14, 7, 5, tzinfo=KST),
        missile_class="cruise",
    )
    afternoon = LaunchFactory(
        slug="afternoon-srbm",
        occurred_on=day,
        occurred_at=datetime.datetime(2024, 3, 14, 15, 18, tzinfo=KST),
        missile_class="SRBM",
    )
    LaunchFactory(slug="next-week", occurred_on=day + datetime.timedelta(days=7))

    found = match_launch(read_article(SAME_DAY))

    assert found["match"] == afternoon.slug
    assert found["alternatives"] == [morning.slug]
    assert found["proposed"] is None


@pytest.mark.django_db
def test_a_kst_date_matches_a_launch_a_day_off_when_nothing_is_on_the_day():
    launch = LaunchFactory(slug="utc-day", occurred_on=datetime.date(2024, 3, 13))

    assert match_launch(read_article(SAME_DAY))["match"] == launch.slug


PROPOSED = (
    "North Korea launched two suspected intermediate-range ballistic missiles from the "
    "Jagang Province toward the East Sea at 07:34 on 2 April 2026, according to the Joint "
    "Chiefs of Staff. The missiles flew about 600 km and reached an altitude of 100 km."
)


@pytest.mark.django_db
def test_a_launch_not_on_record_is_proposed_with_its_claims():
    LaunchFactory(slug="long-ago", occurred_on=datetime.date(2024, 4, 2))

    found = match_launch(read_article(PROPOSED))

    assert found["match"] is None
    assert found["alternatives"] == []
    proposed = found["proposed"]
    assert {key: proposed[key] for key in proposed if key != "claims"} == {
        "occurred_on": "2026-04-02",
        "occurred_at": "2026-04-02T07:34:00+09:00",
        "time_note": "",
        "missile_class": "IRBM",
        "missile_type_label": "intermediate-range ballistic missiles",
        "launch_site": "Jagang Province",
        "direction": "East Sea",
    }
    second = "The missiles flew about 600 km and reached an altitude of 100 km."
    first = PROPOSED.removesuffix(" " + second)
    assert found["claims"] == proposed["claims"]
    assert [
        (c["attribute"], c["value_text"], c["value"], c["claimant"]) for c in found["claims"]
    ] == [
        ("count", "two suspected intermediate-range ballistic missiles", 2, "JCS"),
        ("type", "intermediate-range ballistic missiles", None, "JCS"),
        ("distance", "about 600 km", 600, "JCS"),
        ("apogee", "100 km", 100, "JCS"),
    ]
    assert [c["evidence"] for c in found["claims"]] == [first, first, second, second]


@pytest.mark.django_db
def test_a_match_still_returns_the_claims():
    LaunchFactory(slug="on-record", occurred_on=datetime.date(2026, 4, 2), missile_class="IRBM")

    found = match_launch(read_article(PROPOSED))

    assert found["match"] == "on-record"
    assert found["proposed"] is None
    assert [c["attribute"] for c in found["claims"]] == ["count", "type", "distance", "apogee"]


@pytest.mark.django_db
def test_launch_queries_do_not_grow_with_the_launches_on_record(django_assert_max_num_queries):
    article = read_article(SAME_DAY)
    LaunchFactory(occurred_on=datetime.date(2024, 3, 14))
    with django_assert_max_num_queries(1):
        match_launch(article)
    LaunchFactory.create_batch(30)
    with django_assert_max_num_queries(1):
        found = match_launch(article)
    assert found["match"]


EVENTS = (
    "Pyongyang, 7 May 2026\n"
    "North Korea fired a short-range ballistic missile on May 7. "
    "The launch followed North Korea's warning against new U.S. sanctions on three shipping "
    "firms. It came ahead of the Freedom Shield exercise of the United States and South Korea."
)


@pytest.mark.django_db
def test_events_matched_and_proposed(django_assert_max_num_queries):
    LaunchFactory(slug="may-srbm", occurred_on=datetime.date(2026, 5, 7))
    sanctions = EventFactory(
        slug="us-sanctions-shipping",
        kind=EventKind.SANCTIONS,
        title="U.S. sanctions on three shipping firms",
        start_date=datetime.date(2026, 5, 2),
    )
    EventFactory(slug="unrelated", kind=EventKind.SUMMIT, start_date=datetime.date(2026, 5, 3))
    EventFactory.create_batch(5, start_date=datetime.date(2025, 1, 1))
    article = read_article(EVENTS)

    with django_assert_max_num_queries(4):
        found = find_events(article)

    response = "The launch followed North Korea's warning against new U.S. sanctions on three shipping firms."  # noqa: E501
    ahead = "It came ahead of the Freedom Shield exercise of the United States and South Korea."
    assert [(e["kind"], e["match"], e["relation"], e["evidence"]) for e in found] == [
        ("warning", None, "response_to", response),
        ("sanctions", sanctions.slug, "response_to", response),
        ("exercise", None, "timed_with", ahead),
    ]
    assert found[0]["proposed"] == {
        "kind": "warning",
        "title": "North Korea's warning against new U.S",
        "start_date": "2026-05-01",
        "date_precision": "month",
    }
    assert found[2]["proposed"]["title"] == "The Freedom Shield exercise of the United States"
    assert all(e["evidence"] in article.text for e in found)


def test_source_of_pasted_text():
    article = read_article(
        "Skip to main content\n"
        "Press releases\n"
        "Statement on the ballistic missile launch by North Korea\n"
        "Date: 2026-05-08\n"
        "The Ministry condemns the launch.",
        url="https://www.mofa.go.jp/press/release/page1.html",
    )

    assert source(article) == {
        "url": "https://www.mofa.go.jp/press/release/page1.html",
        "title": "Statement on the ballistic missile launch by North Korea",
        "publisher": "Ministry of Foreign Affairs of Japan",
        "published_on": "2026-05-08",
        "language": "en",
    }


def test_source_of_an_unknown_host_keeps_the_host_and_the_text_says_no_title():
    article = read_article(
        "Heute (08.05.2026) erklärte ein Sprecher: Wir verurteilen den Start.",
        url="https://news.example.org/a",
    )

    found = source(article)

    assert (found["title"], found["publisher"], found["published_on"]) == (
        "",
        "news.example.org",
        "2026-05-08",
    )


@pytest.mark.django_db
def test_a_japanese_report_matches_its_launch_and_states_its_claim():
    launch = LaunchFactory(
        slug="jp-irbm",
        occurred_on=datetime.date(2026, 4, 2),
        occurred_at=datetime.datetime(2026, 4, 2, 6, 50, tzinfo=KST),
        missile_class="IRBM",
    )
    LaunchFactory(slug="jp-cruise", occurred_on=datetime.date(2026, 4, 2), missile_class="cruise")
    text = (
        "北朝鮮は2026年4月2日午前6時52分頃、日本海に向けて中距離弾道ミサイルを発射した。"
        "防衛省によると、約600キロ飛翔した。"
    )

    found = match_launch(read_article(text))

    assert (found["match"], found["alternatives"]) == (launch.slug, ["jp-cruise"])
    assert [
        (c["attribute"], c["value_text"], c["value"], c["claimant"]) for c in found["claims"]
    ] == [("distance", "約600キロ", 600, "Japan MoD")]


def test_dates_and_times_as_articles_write_them():
    text = (
        "It fired on November 7, heute (02.04.2024), 2022年3月24日, le 1er janvier, yesterday "
        "and on Sunday, between 05:45 and 06:03 Taipei time, just past noon, at 7 a.m. KST."
    )
    dates = find_dates(text, datetime.date(2025, 11, 7), "en")
    times = find_times(text)

    assert [(d.text, d.date.isoformat()) for d in dates] == [
        ("November 7", "2025-11-07"),
        ("heute", "2025-11-07"),
        ("02.04.2024", "2024-04-02"),
        ("2022年3月24日", "2022-03-24"),
        ("1er janvier", "2025-01-01"),
        ("yesterday", "2025-11-06"),
        ("Sunday", "2025-11-02"),
    ]
    # Taipei is an hour behind Korea, for both ends of the range.
    assert [(t.text, divmod(t.minutes, 60), t.approximate) for t in times] == [
        ("05:45", (6, 45), False),
        ("06:03 Taipei time", (7, 3), False),
        ("just past noon", (12, 10), True),
        ("7 a.m. KST", (7, 0), False),
    ]


def test_source_of_a_japanese_page():
    article = read_article(
        "北朝鮮による弾道ミサイル発射についての外務大臣談話\n令和8年4月2日\n我が国は強く非難する。",
        url="https://www.mofa.go.jp/mofaj/press/danwa/page.html",
    )

    found = source(article)

    assert (found["title"], found["publisher"], found["published_on"]) == (
        "北朝鮮による弾道ミサイル発射についての外務大臣談話",
        "Ministry of Foreign Affairs of Japan",
        "2026-04-02",
    )

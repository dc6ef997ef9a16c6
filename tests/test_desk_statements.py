"""Who said what: statements found in short texts written for these tests, and the command that
measures the extractor on a folder of articles."""

# The texts are typeset as articles are: their quotation marks and dashes are the data.
# ruff: noqa: RUF001

import datetime
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from desk.extraction import extract, read_article
from desk.extraction.actors import find_actors, publisher_of
from desk.extraction.document import split_sentences
from desk.extraction.quotes import quote_spans
from desk.extraction.statements import find_statements
from reactions.models import Actor

from .factories import LaunchFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

NEWS = (
    "North Korea fired two ballistic missiles into the sea on Tuesday, South Korea's military "
    "said.\n"
    "Japan's Chief Cabinet Secretary Yoshimasa Tanaka told reporters in Tokyo, \"Such repeated "
    'launches threaten the peace and safety of our region and are absolutely unacceptable." '
    'He added, "We have lodged a strong protest through our embassy."\n'
    "China's foreign ministry spokesperson Lin Wei, quoted by Xinhua, said, \"All parties "
    'should exercise restraint and return to dialogue."\n'
    "The European Union condemned the launch as a grave violation of Security Council "
    "resolutions."
)


def statements(text, url=""):
    return find_statements(read_article(text, url=url))


def brief(found):
    return [(s["actor"], s["quote_kind"], s["quote"]) for s in found]


def test_news_report_quotes_continuations_and_reported_speech():
    found = statements(NEWS)

    assert brief(found) == [
        (
            "JP",
            "verbatim",
            "Such repeated launches threaten the peace and safety of our region and are "
            "absolutely unacceptable.",
        ),
        ("JP", "verbatim", "We have lodged a strong protest through our embassy."),
        ("CN", "verbatim", "All parties should exercise restraint and return to dialogue."),
        (
            "EU",
            "reported",
            "The European Union condemned the launch as a grave violation of Security Council "
            "resolutions.",
        ),
    ]
    assert found[0]["speaker"] == {"name": "Yoshimasa Tanaka", "role": "Chief Cabinet Secretary"}
    assert found[1]["speaker"] == found[0]["speaker"]
    assert found[2]["speaker"] == {"name": "Lin Wei", "role": "foreign ministry spokesperson"}
    assert found[2]["via"] == "Xinhua"
    assert found[0]["channel"] == "remarks"
    for statement in found:
        assert statement["evidence"] in NEWS
        assert statement["quote"] in statement["evidence"]


def test_reported_speech_of_several_actors_in_one_sentence_and_a_relative_clause():
    both = (
        "The U.S. condemned the launch as destabilizing, while Russia defended it as a "
        "legitimate right."
    )
    joint = "The United States, Japan and the Republic of Korea condemned this latest test."
    relative = (
        "U.S. and South Korean forces held joint drills, which North Korea condemned as "
        "rehearsals for an invasion."
    )

    assert brief(statements(both)) == [("US", "reported", both), ("RU", "reported", both)]
    assert brief(statements(joint)) == [
        ("US", "reported", joint),
        ("JP", "reported", joint),
        ("KR", "reported", joint),
    ]
    assert brief(statements(relative)) == [("KP", "reported", relative)]


def test_a_sentence_that_mentions_a_statement_is_not_a_heading_that_names_a_voice():
    text = (
        'The U.S. Indo-Pacific Command issued a statement, saying, "We are aware of the '
        'launch and are consulting closely with our allies."\n'
        "The launch followed North Korea's warning of strong measures against new sanctions."
    )

    (found,) = statements(text)

    assert (found["actor"], found["speaker"]["role"]) == ("US", "U.S. Indo-Pacific Command")
    assert found["channel"] == "written_statement"


def test_a_speaker_on_record_is_reused():
    SpeakerFactory(
        actor=Actor.objects.get(code="RU"), name="Dmitry Peskov", role="Kremlin spokesman"
    )
    text = (
        'Russian presidential spokesman Dmitry Peskov said on Wednesday, "Our friends have '
        'the legitimate right to ensure their own security."'
    )

    (found,) = statements(text)

    assert found["actor"] == "RU"
    assert found["speaker"] == {"name": "Dmitry Peskov", "role": "Kremlin spokesman"}


def test_official_press_release_without_quotation_marks_speaks_for_its_publisher():
    text = (
        "Statement by the NATO Spokesperson on the missile launch by North Korea\n"
        "NATO Allies strongly condemn the launch of a ballistic missile by North Korea on "
        "12 March. This launch is a flagrant violation of multiple UN Security Council "
        "resolutions and threatens regional security. Allies met in Brussels on Monday. "
        "We call on Pyongyang to abandon its nuclear and ballistic missile programmes and to "
        "engage in meaningful dialogue."
    )

    found = statements(text, url="https://www.nato.int/cps/en/natohq/news_1.htm")

    assert [(s["actor"], s["quote_kind"]) for s in found] == [("NATO", "verbatim")] * 3
    assert [s["quote"][:30] for s in found] == [
        "NATO Allies strongly condemn t",
        "This launch is a flagrant viol",
        "We call on Pyongyang to abando",
    ]
    assert {s["channel"] for s in found} == {"written_statement"}
    assert found[0]["speaker"] == {"name": "", "role": "NATO Spokesperson"}


def test_press_conference_transcript_answers_are_the_ministers_questions_are_not():
    text = (
        "Press Conference by the Foreign Minister\n"
        "Mr. KATO Hiroshi, Minister for Foreign Affairs: Good afternoon.\n"
        "Daily News, Sato: North Korea launched a missile today. Is this not a grave threat "
        "that violates Security Council resolutions?\n"
        "Daily News, Sato: Critics condemn the slow response of the government.\n"
        "Minister Kato: The launch is a grave threat to the security of Japan and the region. "
        "Japan strongly condemns it.\n"
        "Q: What will you do next?\n"
        "A: We will urge the Security Council to respond firmly together with our allies."
    )

    found = statements(text)

    assert [(s["actor"], s["quote"]) for s in found] == [
        ("JP", "The launch is a grave threat to the security of Japan and the region."),
        ("JP", "Japan strongly condemns it."),
        ("JP", "We will urge the Security Council to respond firmly together with our allies."),
    ]
    assert {s["speaker"]["name"] for s in found} == {"KATO Hiroshi"}
    assert {s["channel"] for s in found} == {"briefing"}


def test_briefing_transcript_with_an_official_named_by_title():
    text = (
        "Department Press Briefing\n"
        "MR PARKER: Good afternoon, everyone.\n"
        "QUESTION: What is your reaction to this provocation by North Korea?\n"
        "MR PARKER: We condemn the DPRK's launch of a ballistic missile, a clear violation of "
        "Security Council resolutions. Allies call on the DPRK to return to diplomacy."
    )

    found = statements(text, url="https://www.state.gov/briefings/department-press-briefing/")

    assert [(s["actor"], s["quote_kind"], s["quote"][:20]) for s in found] == [
        ("US", "verbatim", "We condemn the DPRK'"),
        ("US", "verbatim", "Allies call on the D"),
    ]
    assert {s["speaker"]["name"] for s in found} == {"PARKER"}
    assert {s["channel"] for s in found} == {"briefing"}


@pytest.mark.parametrize(
    ("heading", "actor", "role"),
    [
        ("DPRK: Statement by the Spokesperson on the latest launch", "EU", "Spokesperson"),
        (
            "Foreign Ministry Spokesperson's Statement on the Launch",
            "KR",
            "Foreign Ministry Spokesperson",
        ),
        ("USINDOPACOM statement on DPRK ballistic missile launch", "US", "USINDOPACOM"),
    ],
)
def test_a_heading_names_whose_statement_it_is(heading, actor, role):
    text = (
        f"{heading}\n"
        "1. We condemn this launch, a clear violation of Security Council resolutions.\n"
        "2. North Korea's continued provocations will only deepen its isolation."
    )
    urls = {"EU": "https://www.eeas.europa.eu/x", "KR": "https://www.mofa.go.kr/x", "US": ""}

    found = statements(text, url=urls[actor])

    assert [(s["actor"], s["quote"][:20]) for s in found] == [
        (actor, "We condemn this laun"),
        (actor, "North Korea's contin"),
    ]
    assert found[0]["channel"] == "written_statement"
    assert found[0]["speaker"]["role"] == role


def test_a_lead_in_with_a_speech_verb_gives_the_voice_a_name():
    text = (
        "UK condemns North Korea's ballistic missile launch\n"
        "Minister for the Indo-Pacific Anne-Marie Hollis said:\n"
        "North Korea's latest launch is a flagrant breach of Security Council resolutions.\n"
        'The UK calls the launch "reckless."'
    )

    found = statements(text, url="https://www.gov.uk/government/news/uk-condemns-launch")

    assert [s["quote"][:25] for s in found] == [
        "North Korea's latest laun",
        'The UK calls the launch "',
    ]
    assert {s["actor"] for s in found} == {"GB"}
    assert found[0]["speaker"] == {
        "name": "Anne-Marie Hollis",
        "role": "Minister for the Indo-Pacific",
    }


def test_german_statement_from_its_lead_in():
    text = (
        "Auswärtiges Amt zum Raketenstart Nordkoreas\n"
        "Eine Sprecherin des Auswärtigen Amts sagte heute (12.03.2025):\n"
        "Wir verurteilen den erneuten Start einer ballistischen Rakete durch Nordkorea. "
        "Nordkorea verstößt damit erneut gegen Resolutionen des Sicherheitsrats der Vereinten "
        "Nationen. Wir fordern Nordkorea auf, weitere Tests zu unterlassen."
    )

    found = statements(text)

    assert [s["actor"] for s in found] == ["DE", "DE", "DE"]
    assert found[0]["quote"] == (
        "Wir verurteilen den erneuten Start einer ballistischen Rakete durch Nordkorea."
    )
    assert found[0]["speaker"] == {"name": "", "role": "Sprecherin des Auswärtigen Amts"}
    assert {s["issued_on"] for s in found} == {"2025-03-12"}
    assert found[0]["channel"] == "written_statement"


def test_french_statement_and_quotation_in_guillemets():
    release = (
        "Corée du Nord – Tir de missile balistique\n"
        "La France condamne fermement le tir de missile balistique effectué par la Corée du "
        "Nord le 12 mars. Ce tir constitue une violation des résolutions du Conseil de sécurité "
        "des Nations unies. La France appelle la Corée du Nord à s'abstenir de toute nouvelle "
        "provocation."
    )
    found = statements(release, url="https://www.diplomatie.gouv.fr/fr/corée-du-nord/")

    assert [(s["actor"], s["quote"][:25]) for s in found] == [
        ("FR", "La France condamne fermem"),
        ("FR", "Ce tir constitue une viol"),
        ("FR", "La France appelle la Coré"),
    ]

    un = (
        "Déclaration attribuable au porte-parole du Secrétaire général sur la Corée du Nord\n"
        "Il exhorte la Corée du Nord à cesser immédiatement tout nouvel acte de provocation."
    )
    (appeal,) = statements(un)
    assert (appeal["actor"], appeal["speaker"]["role"]) == (
        "UN",
        "porte-parole du Secrétaire général",
    )

    news = "« Nous condamnons fermement ce tir », a déclaré le porte-parole du Quai d'Orsay."
    (quoted,) = statements(news)
    assert (quoted["actor"], quoted["quote"]) == ("FR", " Nous condamnons fermement ce tir ")


def test_japanese_statement_and_quotation():
    text = (
        "北朝鮮による弾道ミサイル発射について（外務大臣談話）\n"
        "2025年3月12日\n"
        "本日、北朝鮮は弾道ミサイルを発射しました。"
        "今回の発射は、関連する国連安保理決議に違反するものであり、断じて容認できません。"
        "我が国は北朝鮮に対して厳重に抗議し、強く非難しました。"
    )

    found = statements(text, url="https://www.mofa.go.jp/mofaj/press/danwa/page1.html")

    assert [s["actor"] for s in found] == ["JP", "JP"]
    assert found[0]["quote"] == (
        "今回の発射は、関連する国連安保理決議に違反するものであり、断じて容認できません。"
    )
    assert found[0]["issued_on"] == "2025-03-12"
    assert found[0]["channel"] == "written_statement"

    (quoted,) = statements("外務大臣は「断じて容認できない挑発行為だ」と述べた。")
    assert (quoted["actor"], quoted["quote"]) == ("JP", "断じて容認できない挑発行為だ")


def test_japanese_press_conference_the_journalist_is_not_the_minister():
    text = (
        "外務大臣会見記録\n"
        "【山田外務大臣】本日、北朝鮮が弾道ミサイルを発射しました。断じて容認できません。\n"
        "【記者】北朝鮮の挑発を非難する声について教えてください。\n"
        "【山田外務大臣】大使館ルートを通じて厳重に抗議し、強く非難しました。"
    )

    found = statements(text)

    assert [(s["actor"], s["quote"]) for s in found] == [
        ("JP", "断じて容認できません。"),
        ("JP", "大使館ルートを通じて厳重に抗議し、強く非難しました。"),
    ]
    assert {s["channel"] for s in found} == {"briefing"}


def test_a_quote_inside_a_quote_stays_in_the_outer_one():
    text = (
        "Britain's Foreign Office issued a statement on Tuesday. “The so-called ‘satellite’ "
        "launch is a clear violation of Security Council resolutions,” the spokesperson said."
    )

    (found,) = statements(text)

    assert found["actor"] == "GB"
    assert found["quote"] == (
        "The so-called ‘satellite’ launch is a clear violation of Security Council resolutions,"
    )
    assert found["channel"] == "written_statement"


def test_a_quotation_split_by_its_attribution_or_continued_is_one_statement():
    text = (
        '"We condemn this reckless launch," Kremlin spokesman Pavel Orlov said, "and we call on '
        'all sides to show restraint." "Our position has not changed."\n'
        '"It is a clear provocation," the State Department said in a statement, while China\'s '
        'foreign ministry said "all parties should remain calm and restrained".'
    )

    found = statements(text)

    assert [(s["actor"], s["quote"]) for s in found] == [
        (
            "RU",
            "We condemn this reckless launch, and we call on all sides to show restraint. "
            "Our position has not changed.",
        ),
        ("US", "It is a clear provocation,"),
        ("CN", "all parties should remain calm and restrained"),
    ]
    assert found[0]["evidence"] == text.split("\n")[0]
    assert found[0]["speaker"] == {"name": "Pavel Orlov", "role": "Kremlin spokesman"}
    assert found[1]["channel"] == "written_statement"


def test_a_text_with_no_statement():
    text = (
        "North Korea fired a ballistic missile on Tuesday. It flew about 300 km before "
        "falling into the sea, according to the Joint Chiefs of Staff."
    )

    assert statements(text) == []


def test_the_launching_state_claims_are_not_reactions():
    text = (
        'KCNA said on Wednesday that the test of the new missile was "a great success that '
        'strengthens our deterrent"; North Korea said the launch posed no threat.'
    )

    assert statements(text) == []
    # Nor does an official text speak them: its voice reacts, the claim is reported.
    release = (
        "North Korea announced a new law, stating that the threat of a preemptive strike "
        "would deter its enemies."
    )
    assert statements(release, url="https://www.mofa.gov.tw/News_Content.aspx?n=1") == []


def test_quotation_marks_pair_across_typographies():
    text = "„Wir verurteilen das“, sagte er. He said “it is ‘grave’ indeed” and 「非難する」."

    assert [text[start:end] for start, end in quote_spans(text)] == [
        "Wir verurteilen das",
        "it is ‘grave’ indeed",
        "非難する",
    ]


def test_sentences_end_after_closing_quotation_marks_of_each_language():
    texts = [
        "„Wir verurteilen das.“ Er sagte es heute.",
        "« Nous condamnons ce tir. » Le ministre l'a dit.",
        "外務大臣は「断じて容認できない。」と述べた。次の文。",
    ]

    assert [[s.text for s in split_sentences(text)] for text in texts] == [
        ["„Wir verurteilen das.“", "Er sagte es heute."],
        ["« Nous condamnons ce tir. »", "Le ministre l'a dit."],
        ["外務大臣は「断じて容認できない。」と述べた。", "次の文。"],
    ]


def test_actors_by_name_demonym_seat_and_office():
    text = (
        "the Kremlin, Seoul, U.S. Indo-Pacific Command, Japanese officials, Pyongyang, the "
        "Quai d'Orsay, Auswärtiges Amt, the Secretary-General, the Security Council, EU "
        "spokesperson, Nordkoreas, 日本, the Sea of Japan"
    )

    assert [m.code for m in find_actors(text)] == [
        "RU", "KR", "US", "JP", "KP", "FR", "DE", "UN", "UNSC", "EU", "KP", "JP",
    ]  # fmt: skip
    assert publisher_of("https://www.mofa.go.jp/press/x.html")[0] == "JP"
    assert publisher_of("https://www.dfat.gov.au/news")[0] == "AU"
    assert publisher_of("https://news.example/story") == (None, "")


def write_case(folder, name, text, expected):
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / f"{name}.expected.json").write_text(json.dumps(expected), encoding="utf-8")


def test_extract_eval_prints_per_article_and_totals(tmp_path):
    write_case(
        tmp_path,
        "one",
        NEWS,
        {
            "source": {"url": "", "title": "", "publisher": "", "published_on": ""},
            "statements": [
                {
                    "actor": "CN",
                    "quote": "All parties should exercise restraint and return to dialogue.",
                    "stance": "neutral",
                },
                {"actor": "RU", "quote": "We respect their right to security.", "stance": ""},
            ],
        },
    )
    out = io.StringIO()

    call_command("extract_eval", str(tmp_path), stdout=out)

    report = out.getvalue()
    assert "one  (" in report
    # Stance is the stance module's to suggest: only the count of those found is fixed here.
    assert "statements found 1/2, quote overlap 1/1, stance " in report
    assert "/1, extra 3" in report
    assert "launch n/a; source: nothing expected" in report
    assert "missed RU: We respect their right to security." in report
    assert "found with the right actor  1/2 = 50%" in report


def test_extract_eval_reads_the_article_at_its_expected_address(tmp_path):
    write_case(
        tmp_path,
        "two",
        "Statement by the Spokesperson\nWe condemn the launch.",
        {
            "source": {
                "url": "https://www.eeas.europa.eu/x",
                "publisher": "European External Action Service",
            },
            "statements": [{"actor": "EU", "quote": "We condemn the launch.", "stance": ""}],
        },
    )
    out = io.StringIO()

    call_command("extract_eval", str(tmp_path), stdout=out)

    assert "statements found 1/1, quote overlap 1/1" in out.getvalue()
    assert "source: publisher ok" in out.getvalue()


def test_extract_eval_counts_an_article_the_desk_refuses_and_goes_on(tmp_path):
    write_case(
        tmp_path,
        "empty",
        "   ",
        {"source": {}, "statements": [{"actor": "US", "quote": "We condemn it."}]},
    )
    out = io.StringIO()

    call_command("extract_eval", str(tmp_path), stdout=out)

    assert "empty  refused: There is no text to read: the article is empty." in out.getvalue()
    assert "Total: 1 articles (1 refused), 1 expected statements" in out.getvalue()
    assert "found with the right actor  0/1 = 0%" in out.getvalue()


def test_extract_eval_refuses_a_folder_without_articles(tmp_path):
    with pytest.raises(CommandError, match=r"holds no \*\.txt articles"):
        call_command("extract_eval", str(tmp_path), stdout=io.StringIO())

    (tmp_path / "lonely.txt").write_text("North Korea fired a missile.", encoding="utf-8")
    with pytest.raises(CommandError, match=r"lonely\.txt has no lonely\.expected\.json"):
        call_command("extract_eval", str(tmp_path), stdout=io.StringIO())


def test_make_extract_eval_migrates_and_loads_the_demo_first():
    def dry_run(*arguments):
        result = subprocess.run(
            ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", *arguments],
            cwd=Path(__file__).resolve().parent.parent,
            env={"PATH": os.environ["PATH"]},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return [line.split("manage.py ")[-1] for line in result.stdout.splitlines()]

    assert dry_run("extract-eval") == [
        "migrate --noinput",
        "load_demo",
        "extract_eval ../shared/data/articles",
    ]
    assert dry_run("extract-eval", "DIR=articles")[-1] == "extract_eval articles"


def test_a_surname_after_the_quote_names_the_speaker_met_before_and_the_outlet():
    found = statements(
        "Foreign Ministry spokeswoman Maria Petrova of Russia defended the test. "
        '"Our partners have every right to look after their security," Petrova was quoted '
        "as saying by TASS."
    )

    assert [
        (s["actor"], s["speaker"]["name"], s["quote_kind"], s["via"], s["quote"]) for s in found
    ] == [
        (
            "RU",
            "Maria Petrova",
            "verbatim",
            "TASS",
            "Our partners have every right to look after their security,",
        )
    ]


def test_an_undated_report_is_read_as_of_the_day_of_its_launch():
    LaunchFactory(slug="2025-11-07-srbm", occurred_on=datetime.date(2025, 11, 7), occurred_at=None)
    article = read_article(
        "SEOUL, Nov. 7 -- North Korea fired a short-range ballistic missile on Nov. 7. "
        "The European Union condemned the launch as a grave violation of Security Council "
        "resolutions."
    )

    proposals = extract(article)

    assert proposals["launch"]["match"] == "2025-11-07-srbm"
    assert {s["issued_on"] for s in proposals["statements"]} == {"2025-11-07"}

"""Importing statements in bulk: tied to their launch by date, validated, idempotent."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from editorial.models import Status
from imports.models import ImportKind, ImportStatus
from imports.services import import_job_create, statements_import
from reactions.models import QuoteKind, Speaker, Stance, Statement
from timeline.models import Source

from .factories import LaunchFactory, SourceFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "launch_date_kst,actor,speaker_name,speaker_role,issued_on,channel,quote,quote_kind,"
    "stance,themes,via,source_url,source_title,source_publisher,source_published_on,"
    "language,note"
)
CONDEMNS = (
    '2024-01-14,JP,,Chief Cabinet Secretary,2024-01-14,briefing,"We strongly protest.",'
    "verbatim,condemns,protest lodged; threat to peace,,https://www.mofa.go.jp/a,Press,"
    "MOFA,2024-01-14,en,"
)
REPORTED = (
    "2024-01-14,CN,Wang Wenbin,Spokesperson,,briefing,China hopes for calm.,reported,neutral,"
    "calls for restraint,Xinhua,https://news.example/cn,China hopes,Xinhua,2024-01-15,en,"
)


def csv_file(*rows, header=HEADER):
    return io.BytesIO("\n".join([header, *rows]).encode())


@pytest.fixture
def launch():
    return LaunchFactory(occurred_on=datetime.date(2024, 1, 14), external_id="L2024-001")


def test_each_row_becomes_a_statement_with_its_speaker_source_and_themes(launch):
    report = statements_import(file=csv_file(CONDEMNS, REPORTED))
    assert report.written, report.as_text()
    assert report.created == 2
    japan = Statement.objects.get(actor__code="JP")
    assert japan.launch == launch
    assert japan.stance == Stance.CONDEMNS
    assert japan.quote_kind == QuoteKind.VERBATIM
    assert japan.status == Status.PUBLISHED
    # An office that speaks without a name is named by its role.
    assert japan.speaker.name == "Chief Cabinet Secretary"
    assert japan.source.url == "https://www.mofa.go.jp/a"
    assert japan.source.publisher == "MOFA"
    assert japan.source.published_at == datetime.datetime(2024, 1, 14, tzinfo=datetime.UTC)
    assert sorted(t.name for t in japan.themes.all()) == ["protest lodged", "threat to peace"]
    china = Statement.objects.get(actor__code="CN")
    assert china.quote_kind == QuoteKind.PARAPHRASE
    assert china.stance == Stance.NEUTRAL
    assert (china.speaker.name, china.speaker.role) == ("Wang Wenbin", "Spokesperson")
    assert china.via == "Xinhua"
    # No day in the file: the source's day is used, and the report says so.
    assert china.issued_on == datetime.date(2024, 1, 15)
    assert (3, "issued_on", "empty; 2024-01-15 used") in report.kept_as_text


def test_importing_the_same_file_again_changes_nothing(launch):
    statements_import(file=csv_file(CONDEMNS, REPORTED))
    again = statements_import(file=csv_file(CONDEMNS, REPORTED))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Statement.objects.count() == 2
    assert Speaker.objects.count() == 2
    assert Source.objects.count() == 2


def test_a_known_speaker_and_source_are_reused_and_an_analysts_source_kept(launch):
    SourceFactory(url="https://www.mofa.go.jp/a", title="Kept title", publisher="Kept")
    statements_import(file=csv_file(CONDEMNS))
    source = Source.objects.get(url="https://www.mofa.go.jp/a")
    assert (source.title, source.publisher) == ("Kept title", "Kept")


@pytest.mark.parametrize(
    ("old", "new", "column", "reason"),
    [
        ("2024-01-14,JP", "2024-01-15,JP", "launch_date_kst", "no launch on 2024-01-15"),
        ("2024-01-14,JP", "2024-13-14,JP", "launch_date_kst", ""),
        (",JP,", ",XX,", "actor", "unknown actor code 'XX'"),
        ("condemns", "furious", "stance", "unknown stance 'furious'"),
        ("verbatim", "sung", "quote_kind", "unknown quote kind 'sung'"),
        ("briefing", "pigeon", "channel", "unknown channel 'pigeon'"),
        ("https://www.mofa.go.jp/a", "not a url", "source_url", ""),
        ('"We strongly protest."', '""', "quote", "every statement needs its words"),
        ("2024-01-14,briefing", "2024-01-01,briefing", "issued_on", "before"),
    ],
)
def test_a_bad_row_is_refused_with_its_reason_and_nothing_is_written(
    launch, old, new, column, reason
):
    report = statements_import(file=csv_file(REPORTED, CONDEMNS.replace(old, new, 1)))
    assert not report.written
    assert [p.column for p in report.refused] == [column], report.as_text()
    assert report.refused[0].row == 3
    assert reason in report.refused[0].reason
    assert Statement.objects.count() == 0
    assert Speaker.objects.count() == 0


def test_a_day_with_two_launches_is_refused_unless_a_hint_names_one(launch):
    second = LaunchFactory(
        occurred_on=launch.occurred_on, external_id="L2024-002", missile_class="ICBM"
    )
    report = statements_import(file=csv_file(CONDEMNS))
    assert not report.written
    assert "2 launches on 2024-01-14 (L2024-001, L2024-002)" in report.refused[0].reason
    by_id = statements_import(file=csv_file(CONDEMNS + ",L2024-002", header=HEADER + ",launch_id"))
    assert by_id.written, by_id.as_text()
    assert Statement.objects.get().launch == second
    by_class = statements_import(file=csv_file(REPORTED + ",icbm", header=HEADER + ",launch_class"))
    assert by_class.written, by_class.as_text()
    assert Statement.objects.get(actor__code="CN").launch == second


def test_skip_invalid_writes_the_good_rows(launch):
    report = statements_import(
        file=csv_file(CONDEMNS, REPORTED.replace(",CN,", ",XX,")), skip_invalid=True
    )
    assert report.written
    assert report.created == 1
    assert [p.row for p in report.refused] == [3]


def test_an_unknown_column_refuses_the_file():
    report = statements_import(file=csv_file(CONDEMNS, header=HEADER + ",mood"))
    assert not report.written
    assert report.refused[0].column == "header"
    assert "unknown column 'mood'" in report.refused[0].reason


def test_a_user_who_may_not_publish_imports_drafts(launch):
    user = User.objects.create_user("intern")
    report = statements_import(file=csv_file(CONDEMNS), user=user)
    assert report.written, report.as_text()
    assert Statement.objects.get().status == Status.DRAFT


def test_the_command_prints_the_report_and_fails_on_refusal(launch, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER, CONDEMNS]))
    out = io.StringIO()
    call_command("import_statements", str(good), stdout=out)
    assert "statements: 1 created" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([HEADER, CONDEMNS.replace(",JP,", ",XX,")]))
    with pytest.raises(CommandError, match="refused, nothing written"):
        call_command("import_statements", str(bad), stdout=io.StringIO())


def test_an_import_job_of_statements_runs(launch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            kind=ImportKind.STATEMENTS,
            filename="statements.csv",
            content="\n".join([HEADER, CONDEMNS]),
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.report
    assert job.report["created"] == 1

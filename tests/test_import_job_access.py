"""Import jobs in the admin: each user sees the jobs they created (unless they may see all),
and the refused rows come back as a CSV a spreadsheet cannot run."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from imports.models import ImportJob, ImportKind, ImportStatus
from imports.services import import_job_create

from .paths import LAUNCHES_CSV

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","click")'


def staff(username, *codenames, groups=()):
    user = User.objects.create_user(username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def job_with_a_refused_row(user, django_capture_on_commit_callbacks, **cells):
    """A launches job whose row 4 (L2022-003) has a bad date, and `cells` put in that row."""
    lines = LAUNCHES_CSV.read_text().splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    index = next(i for i, line in enumerate(lines) if line.startswith("L2022-003,"))
    row = next(csv.reader([lines[index]]))
    row[header.index("date_kst")] = "2022-13-14"
    for name, value in cells.items():
        row[header.index(name)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    lines[index] = out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            kind=ImportKind.LAUNCHES,
            filename=f"{user.username}.csv",
            content="".join(lines),
            skip_invalid=True,
            user=user,
        )
    job.refresh_from_db()
    assert (job.status, len(job.report["refused"])) == (ImportStatus.DONE, 1)
    return job


def refused_rows(client, job):
    response = client.get(reverse("admin:imports_importjob_refused", args=[job.pk]))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_refused_rows_csv_escapes_formulas(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    job = job_with_a_refused_row(
        admin_user, django_capture_on_commit_callbacks, notes=FORMULA, missile_name="+1", count="@2"
    )
    [row] = refused_rows(admin_client, job)
    assert (row["row"], row["column"], row["event_id"]) == ("4", "date_kst", "L2022-003")
    assert (row["notes"], row["missile_name"], row["count"]) == (f"'{FORMULA}", "'+1", "'@2")
    assert row["date_kst"] == "2022-13-14"


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    """Two analysts' jobs: ana's and ben's."""
    ana = staff("ana", "view_importjob", "add_importjob")
    ben = staff("ben", "view_importjob", "add_importjob")
    return {
        user.username: (user, job_with_a_refused_row(user, django_capture_on_commit_callbacks))
        for user in (ana, ben)
    }


def answers(client, job):
    """What the user gets for the job's page, its refused rows, and whether the list shows it."""
    listing = client.get(reverse("admin:imports_importjob_changelist")).content.decode()
    detail = client.get(job.get_absolute_url())
    report = client.get(reverse("admin:imports_importjob_refused", args=[job.pk]))
    return {
        "listed": f"{job.filename}</a>" in listing,
        "detail": detail.status_code == 200 and job.filename in detail.content.decode(),
        "refused rows": report.status_code,
    }


SEEN = {"listed": True, "detail": True, "refused rows": 200}
UNSEEN = {"listed": False, "detail": False, "refused rows": 404}


def test_a_user_sees_only_the_jobs_they_created(client, jobs):
    (ana, ana_job), (_, ben_job) = jobs["ana"], jobs["ben"]
    client.force_login(ana)
    assert answers(client, ana_job) == SEEN
    assert answers(client, ben_job) == UNSEEN
    assert list(ImportJob.objects.values_list("filename", flat=True).order_by("id")) == [
        "ana.csv",
        "ben.csv",
    ]


@pytest.mark.parametrize(
    "user",
    [
        lambda: staff("carl", "view_importjob", "view_all_importjobs"),
        lambda: staff("erin", groups=["Editor"]),
        lambda: User.objects.create_superuser("root"),
    ],
    ids=["view_all_importjobs", "editor", "superuser"],
)
def test_who_may_see_all_jobs_sees_everyone_s(client, jobs, user):
    client.force_login(user())
    for _, job in jobs.values():
        assert answers(client, job) == SEEN


def test_an_analyst_s_role_gives_the_import_job_permissions_of_the_imports_app():
    analyst = staff("ana", groups=["Analyst"])
    assert analyst.has_perm("imports.add_importjob")
    assert analyst.has_perm("imports.view_importjob")
    assert not analyst.has_perm("imports.view_all_importjobs")
    editor = staff("erin", groups=["Editor"])
    assert editor.has_perm("imports.view_all_importjobs")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/timeline/importjob/", "/admin/imports/importjob/"),
        (
            "/admin/timeline/importjob/?status__exact=done&kind__exact=events",
            "/admin/imports/importjob/?status__exact=done&kind__exact=events",
        ),
        ("/admin/timeline/importjob/add/", "/admin/imports/importjob/add/"),
        ("/admin/timeline/importjob/7/change/", "/admin/imports/importjob/7/change/"),
        ("/admin/timeline/importjob/7/refused.csv", "/admin/imports/importjob/7/refused.csv"),
    ],
)
def test_the_import_job_admin_links_of_before_redirect_for_good(client, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_a_bookmarked_import_job_opens_at_its_new_address(
    client, django_capture_on_commit_callbacks
):
    ana = staff("ana", "view_importjob", "add_importjob", "view_launch")
    job = job_with_a_refused_row(ana, django_capture_on_commit_callbacks)
    client.force_login(ana)
    response = client.get(f"/admin/timeline/importjob/{job.pk}/change/", follow=True)
    assert response.redirect_chain == [(f"/admin/imports/importjob/{job.pk}/change/", 301)]
    assert response.status_code == 200
    assert "ana.csv" in response.content.decode()
    # Only import jobs moved: the timeline's own records stay where they were.
    assert client.get("/admin/timeline/launch/").status_code == 200

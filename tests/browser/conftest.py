"""Browser tests drive the system Chromium through Playwright against a live server.

They skip with a reason when Chromium is missing, except where SALVO_REQUIRE_BROWSER is set
(CI sets it), where a missing browser fails the run.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db.models import Q

from reactions.models import Speaker, Statement
from timeline.models import Launch, Link, Source

from .analyst import ARTICLE_URL

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("SALVO_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"browser tests need Chromium at {CHROMIUM}; it is missing")
    skip = pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM}")
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def seed_launch_without_its_story(demo):
    """The demo data, less what the analyst is about to enter from the article: the launch
    has no reaction yet (the corpus's go too), and Dmitry Peskov is not on record (his one
    statement in the corpus, on 2 November 2022, goes with him)."""
    launch = Launch.objects.get(slug="2025-11-07-srbm")
    peskov = Speaker.objects.get(name="Dmitry Peskov")
    for statement in Statement.objects.filter(Q(launch=launch) | Q(speaker=peskov)):
        statement.delete()
    for link in Link.objects.filter(source__url=ARTICLE_URL):
        link.delete()
    peskov.delete()
    Source.objects.get(url=ARTICLE_URL).delete()
    return launch


@pytest.fixture
def console_errors(page):
    """Console errors and CSP violations the pages report, favicon misses aside."""
    errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "favicon" not in message.text
            and errors.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors

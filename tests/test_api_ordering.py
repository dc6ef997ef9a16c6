"""An API ordering on a field two records may share ends with the id, in its direction: the
records that tie come in the same order on every page."""

import datetime

import pytest
from rest_framework.test import APIClient

from .factories import LaunchFactory

pytestmark = pytest.mark.django_db


def test_launches_on_one_day_come_in_the_same_order_on_every_page():
    day = datetime.date(2024, 5, 1)
    launches = [LaunchFactory(occurred_on=day, occurred_at=None) for _ in range(5)]
    api = APIClient()
    slugs, url = [], "/api/v1/launches/?ordering=-occurred_on&page_size=2"
    while url:
        page = api.get(url).json()
        slugs += [launch["slug"] for launch in page["results"]]
        url = page["next"]
    assert slugs == [launch.slug for launch in reversed(launches)]

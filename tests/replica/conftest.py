"""The read paths against a real primary and streaming replica.

These tests run only inside tests/test_replicas.py, in a process of their own whose
DATABASE_URL and DATABASE_REPLICA_URLS name the pair it started (SALVO_REPLICA_PAIR=1):
the suite's own database may be SQLite, or a PostgreSQL that refuses replication.
"""

import os

import pytest
from django.conf import settings
from django.db import connections

collect_ignore_glob = [] if os.environ.get("SALVO_REPLICA_PAIR") else ["test_*.py"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database is created on the primary, and the replicas are set up as mirrors of
    it; point each replica back at its own server, where replication brought that database."""
    name = connections["default"].settings_dict["NAME"]
    with django_db_blocker.unblock():
        for alias in settings.DATABASE_REPLICAS:
            connections[alias].close()
            connections[alias].settings_dict = {**settings.DATABASES[alias], "NAME": name}

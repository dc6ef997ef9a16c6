"""The benchmark's reference view: the API launch list's bytes, served from memory.

Mounted only when BENCH_REFERENCE_FILE is set (by `make bench`); it measures what the
stack itself costs — WSGI, middleware, routing — with no query and no serialization.
"""

from functools import cache

from django.conf import settings
from django.http import HttpResponse


@cache
def _reference_bytes():
    with open(settings.BENCH_REFERENCE_FILE, "rb") as handle:
        return handle.read()


def reference(request):
    return HttpResponse(_reference_bytes(), content_type="application/json")

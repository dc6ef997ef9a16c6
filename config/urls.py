from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import bench, health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("", include("explore.urls")),
    path("", include("reactions.urls")),
    path("", include("timeline.urls")),
]

if settings.BENCH_REFERENCE_FILE:
    urlpatterns.insert(0, path("bench/reference", bench.reference))

# JSON for errors under /api/, HTML for pages (core/errors.py).
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"

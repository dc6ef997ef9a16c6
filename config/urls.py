from urllib.parse import quote

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, reverse
from django.views.generic import RedirectView

from core import bench, health


class ImportJobsMoved(RedirectView):
    """Import jobs moved from the timeline app to their own: old admin links lead there."""

    permanent = True

    def get_redirect_url(self, *args, rest, **kwargs):
        url = reverse("admin:imports_importjob_changelist") + quote(rest)
        query = self.request.META.get("QUERY_STRING", "")
        return f"{url}?{query}" if query else url


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    re_path(r"^admin/timeline/importjob/(?P<rest>.*)\Z", ImportJobsMoved.as_view()),
    # The article desk is a page of the analyst's admin, behind the admin's login.
    path("admin/desk/", include("desk.urls")),
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

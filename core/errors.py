"""Error responses: JSON for anything under /api/, Django's HTML pages for the rest.

DRF answers JSON for what its views raise; these cover what happens before a view or
outside DRF's reach — a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a refused Host header, a bug.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def too_large_message():
    return f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."


def _for_api(request):
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception):
    if not _for_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": too_large_message()}, status=413)
    if isinstance(exception, DisallowedHost):
        return JsonResponse({"detail": "This site does not answer to that host name."}, status=400)
    return JsonResponse({"detail": "The request could not be read."}, status=400)


def permission_denied(request, exception):
    if not _for_api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse({"detail": "You do not have permission to do this."}, status=403)


def page_not_found(request, exception):
    if not _for_api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"detail": "No API endpoint at this address."}, status=404)


def server_error(request):
    if not _for_api(request):
        return defaults.server_error(request)
    return JsonResponse(
        {"detail": "Something went wrong on our side; it has been logged."}, status=500
    )

"""Cross-origin reads of the public API, through django-cors-headers."""

from corsheaders.middleware import CorsMiddleware

# What a browser may send across origins: reads, and the preflight that asks for them.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """django-cors-headers, for reads only: a POST, PATCH or DELETE answers without any
    Access-Control-* header, so that no other site's script reads what a write returned
    (CORS_ALLOW_METHODS alone only shapes the preflight's answer)."""

    def is_enabled(self, request):
        return request.method in READ_METHODS and super().is_enabled(request)

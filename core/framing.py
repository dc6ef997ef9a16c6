"""Embeds: addresses made to sit in other sites' pages (EMBED_PATH_PREFIXES).

Everywhere else framing is refused (X-Frame-Options: DENY, frame-ancestors 'none'); an
embed may be framed by the sites EMBED_FRAME_ANCESTORS names, and is the same for every
reader, so it answers with no cookie and no Vary: Cookie.
"""

from django.conf import settings


def embed_policy():
    """The Content-Security-Policy of an embed: the site's own, framed by anyone allowed."""
    return {**settings.SECURE_CSP, "frame-ancestors": settings.EMBED_FRAME_ANCESTORS}


def is_embed(request):
    return request.path_info.startswith(tuple(settings.EMBED_PATH_PREFIXES))


class EmbedMiddleware:
    """Let embed addresses be framed, and keep the session out of their responses.

    By path rather than by a decorator on the view, so that a response served from the
    public cache (which keeps headers, not a view's marks) is framed alike. It sits inside
    the session, clickjacking and CSP middleware, which read what it sets, and outside the
    cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_embed(request):
            response.xframe_options_exempt = True
            response._csp_config = embed_policy()
            # Only the page throttle looked, to learn whether the reader is signed in; the
            # embed itself never depends on who reads it: no Vary: Cookie, no cookie.
            session = getattr(request, "session", None)
            if session is not None and not session.modified:
                session.accessed = False
        return response

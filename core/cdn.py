"""A CDN or Varnish in front of the site (docs/cdn.md): each bump is purged there too, by
the surrogate keys the cached responses carry, so it can keep them for CDN_MAX_AGE."""

from django.conf import settings

from . import outbound

# A purge answered within this many seconds, or tried again: it is a request to our own
# CDN, not a long one.
PURGE_TIMEOUT = 5.0


def purge(keys):
    """Ask the CDN at CDN_PURGE_URL to drop every response carrying one of `keys`: a PURGE
    naming them in `xkey-purge` (Varnish's xkey) and `Surrogate-Key` (Fastly, with
    CDN_PURGE_TOKEN as `Fastly-Key`). Raises OSError (and the rest outbound.send raises)
    when it is not answered with a success."""
    named = " ".join(keys)
    headers = {"xkey-purge": named, "Surrogate-Key": named}
    if settings.CDN_PURGE_TOKEN:
        headers["Fastly-Key"] = settings.CDN_PURGE_TOKEN
    status, _, _ = outbound.send(
        settings.CDN_PURGE_URL,
        method=settings.CDN_PURGE_METHOD,
        headers=headers,
        timeout=PURGE_TIMEOUT,
        limit=4096,
        allow_private=settings.CDN_PURGE_ALLOW_PRIVATE,
    )
    if not 200 <= status < 300:
        raise OSError(f"the CDN answered the purge with {status}")

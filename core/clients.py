"""Who is asking: one client address for the throttles, the login lockout and the logs."""

import functools
import ipaddress

from django.conf import settings


@functools.cache
def _networks(proxies):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXIES the nearest untrusted hop.

    X-Forwarded-For is read only when the peer is a trusted proxy, and from the right, past
    each trusted proxy: a client can write anything at the left of the header, but not what
    the proxies appended. With no trusted proxies (the default), the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    address = _address(remote) if trusted else None
    if address is None or not any(address in network for network in trusted):
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        forwarded = _address(hop)
        if forwarded is None:
            break  # unreadable: no one trusted wrote it, so nothing left of it counts either
        address = forwarded
        if not any(address in network for network in trusted):
            break
    return str(address)

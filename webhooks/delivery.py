"""The wire: where a webhook may be sent, how it is signed, and one HTTP POST."""

import hashlib
import hmac
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SIGNATURE_HEADER = "Salvo-Signature"
USER_AGENT = "Salvo-Webhooks/1.0"


class TargetRefused(Exception):
    """The URL points somewhere deliveries must not go."""


def check_target(url):
    """Refuse URLs that are not http(s) or resolve to private, loopback or reserved addresses.

    WEBHOOKS_ALLOW_PRIVATE_TARGETS lifts the address check (development and tests).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TargetRefused("Only http and https URLs with a host can receive webhooks.")
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"{parts.hostname} does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise TargetRefused(
                f"{parts.hostname} resolves to {address}, a private or reserved address."
            )


def sign(secret, timestamp, body):
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under the subscription's secret."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret, body, *, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


@dataclass
class Response:
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self):
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead anywhere, private ranges included: it counts as a failure.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(*, url, secret, body, event_type, idempotency_key):
    """POST a signed body; never raises for what the network or the receiver did."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Salvo-Event": event_type,
            "Salvo-Delivery": idempotency_key,
            "Idempotency-Key": idempotency_key,
            SIGNATURE_HEADER: signature_header(secret, body),
        },
    )
    started = time.monotonic()
    response = Response()
    try:
        check_target(url)
        with _opener.open(request, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS) as answer:
            response.status_code = answer.status
            response.excerpt = answer.read(1024).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        response.status_code = exc.code
        response.excerpt = exc.read(1024).decode("utf-8", "replace")
        response.error = f"HTTP {exc.code} {exc.reason}"
    except TargetRefused as exc:
        response.error = str(exc)
    except (OSError, ValueError) as exc:  # refused, reset, timed out, TLS, bad URL
        response.error = f"{type(exc).__name__}: {exc}"
    response.duration_ms = round((time.monotonic() - started) * 1000)
    return response

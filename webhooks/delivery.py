"""The wire: where a webhook may be sent, how it is signed, and one HTTP POST.

Resolving, the address check, the deadline and the pinned connection are core.outbound's,
shared with every other request this site makes to an address someone gave it.
"""

import hashlib
import hmac
import http.client
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from core.outbound import AddressRefused, Deadline, Target, exchange, tls_context
from core.outbound import resolve as resolve_host

SIGNATURE_HEADER = "Salvo-Signature"
USER_AGENT = "Salvo-Webhooks/1.0"
# What is kept of an answer, and all that is read of it.
EXCERPT_BYTES = 1024


class TargetRefused(AddressRefused):
    """The URL points somewhere deliveries must not go."""


def _parse(url):
    """The scheme, host, port and path of a URL webhooks may be sent to."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        raise TargetRefused("Only https URLs with a host can receive webhooks.")
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise TargetRefused("The port must be a number from 1 to 65535.")
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def resolve(url):
    """The Target of `url`, its host resolved once; raises TargetRefused.

    Every address the host resolves to must be public (global unicast, and not an IPv6
    form of a private IPv4 address). Deliveries connect to these addresses and no other,
    so a name that resolves differently a moment later (DNS rebinding) changes nothing.
    WEBHOOKS_ALLOW_PRIVATE_TARGETS lifts the address check and allows http (development
    and tests).
    """
    scheme, host, port, path = _parse(url)
    try:
        addresses = resolve_host(host, port, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)
    except AddressRefused as exc:
        raise TargetRefused(str(exc)) from exc
    return Target(scheme, host, port, path, addresses)


def check_target(url):
    """Raise TargetRefused for a URL deliveries must not go to; see `resolve`.

    With WEBHOOKS_ALLOW_PRIVATE_TARGETS the host is not looked up: any address will do.
    """
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        _parse(url)
    else:
        resolve(url)


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


def post(*, url, secret, body, event_type, idempotency_key, timeout=None):
    """POST a signed body; never raises for what the network or the receiver did.

    The host is resolved and checked once, and the connection goes to the address that
    was checked. Connecting, sending and reading the answer together take at most
    `timeout` seconds (WEBHOOKS_TIMEOUT_SECONDS by default); only the first kilobyte of
    the answer is read.
    """
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Salvo-Event": event_type,
        "Salvo-Delivery": idempotency_key,
        "Idempotency-Key": idempotency_key,
        SIGNATURE_HEADER: signature_header(secret, body),
    }
    started = time.monotonic()
    deadline = Deadline(settings.WEBHOOKS_TIMEOUT_SECONDS if timeout is None else timeout)
    response = Response()
    try:
        target = resolve(url)
        status, reason, _, excerpt = exchange(
            target,
            method="POST",
            headers=headers,
            body=body,
            deadline=deadline,
            limit=EXCERPT_BYTES,
            tls=tls_context(),
        )
        response.status_code, response.excerpt = status, excerpt.decode("utf-8", "replace")
        if not response.ok:
            response.error = f"HTTP {status} {reason}"
    except TargetRefused as exc:
        response.error = str(exc)
    except TimeoutError:
        limit = settings.WEBHOOKS_TIMEOUT_SECONDS
        response.error = f"Timed out: no whole answer within {limit:g} s."
    except (OSError, http.client.HTTPException, ValueError) as exc:  # refused, reset, TLS
        response.error = f"{type(exc).__name__}: {exc}"
    response.duration_ms = round((time.monotonic() - started) * 1000)
    return response

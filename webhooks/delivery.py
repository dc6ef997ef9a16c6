"""The wire: where a webhook may be sent, how it is signed, and one HTTP POST."""

import contextlib
import functools
import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SIGNATURE_HEADER = "Salvo-Signature"
USER_AGENT = "Salvo-Webhooks/1.0"
# What is kept of an answer, and all that is read of it.
EXCERPT_BYTES = 1024
# IPv6 prefixes whose last 32 bits are an IPv4 address that a gateway connects to.
NAT64_PREFIXES = [ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48")]


class TargetRefused(Exception):
    """The URL points somewhere deliveries must not go."""


@dataclass(frozen=True)
class Target:
    """A checked URL: what to call the host, and where to connect: `addresses`, each a
    (family, socket address) pair as getaddrinfo answered."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple


def _embedded_ipv4(address):
    """The IPv4 addresses an IPv6 address carries: mapped, NAT64, 6to4, Teredo, compatible."""
    if address.version == 4:
        return []
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    carried = [address.ipv4_mapped, address.sixtofour]
    if address.teredo:
        carried.append(address.teredo[1])
    if any(address in prefix for prefix in NAT64_PREFIXES) or int(address) >> 32 == 0:
        carried.append(low32)
    return [v4 for v4 in carried if v4 is not None]


def is_public(address):
    """True for a global unicast address, and for an IPv6 one only if what it carries is too."""
    if not address.is_global or address.is_multicast or address.is_reserved:
        return False
    return all(is_public(v4) for v4 in _embedded_ipv4(address))


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
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"{host} does not resolve.") from exc
    addresses = tuple(dict.fromkeys((info[0], info[4]) for info in infos))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        for _, sockaddr in addresses:
            address = ipaddress.ip_address(sockaddr[0].split("%")[0])
            if not is_public(address):
                raise TargetRefused(f"{host} resolves to {address}, a private or reserved address.")
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


class Deadline:
    """The end of an attempt: connecting, sending and reading the answer all fit before it.

    A socket timeout bounds each read, not their sum, so a receiver that drips a byte a
    second could hold the worker for as long as it liked. Once the time is up, the watched
    connection is shut down, which ends whatever read or write is waiting on it.
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._socket = None
        self._timer = None

    def remaining(self):
        left = self.at - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError
        return left

    def watch(self, sock):
        """Shut `sock` down when the time is up, unless `release()` came first."""
        # A duplicate of the descriptor: shutting it down ends the connection whichever
        # object (the plain socket or its TLS wrapper) is reading from it by then.
        self._socket = sock.dup()
        self._timer = threading.Timer(max(self.at - time.monotonic(), 0), self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self):
        with self._lock:
            if self._socket is None:
                return
            self.expired = True
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)

    def release(self):
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            if self._socket is not None:
                self._socket.close()
                self._socket = None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """A connection over a socket already open to the checked address."""

    def __init__(self, host, port, *, sock, **kwargs):
        super().__init__(host, port, **kwargs)
        self._pinned = sock

    def connect(self):
        self.sock = self._pinned


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS over a socket open to the checked address: SNI and certificate for the host name."""

    def __init__(self, host, port, *, sock, context, **kwargs):
        super().__init__(host, port, context=context, **kwargs)
        self._pinned, self._tls = sock, context

    def connect(self):
        self.sock = self._tls.wrap_socket(self._pinned, server_hostname=self.host)


@functools.cache
def tls_context():
    """Certificates checked against the system's authorities and the URL's host name."""
    return ssl.create_default_context()


def _open(target, deadline):
    """A TCP connection to the first of the target's checked addresses that answers.

    Connects to the address itself: the host name is never resolved again.
    """
    error = OSError(f"{target.host} has no address")
    for family, sockaddr in target.addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(deadline.remaining())
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            if isinstance(exc, TimeoutError):
                raise
            error = exc
        else:
            return sock
    raise error


def _exchange(target, *, headers, body, deadline):
    """POST `body` to the target before the deadline: (status, reason, first bytes of answer)."""
    sock = _open(target, deadline)
    deadline.watch(sock)
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(
            target.host, target.port, sock=sock, context=tls_context(), timeout=None
        )
    else:
        connection = _PinnedHTTPConnection(target.host, target.port, sock=sock, timeout=None)
    try:
        sock.settimeout(deadline.remaining())
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        excerpt = answer.read(EXCERPT_BYTES)
    except (OSError, http.client.HTTPException) as exc:
        if deadline.expired:
            raise TimeoutError from exc
        raise
    finally:
        deadline.release()
        connection.close()
        sock.close()
    if deadline.expired:  # a read cut short ends quietly, with what had come
        raise TimeoutError
    return answer.status, answer.reason, excerpt


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
        status, reason, excerpt = _exchange(target, headers=headers, body=body, deadline=deadline)
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

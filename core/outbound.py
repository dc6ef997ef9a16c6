"""Requests this site makes to addresses that others gave it: webhook targets, the page of a
source an analyst pasted. Only public addresses are called; a host is resolved once and the
connection goes to the address that was checked; the whole exchange fits in a deadline and
only so many bytes of the answer are read."""

import contextlib
import functools
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

# IPv6 prefixes whose last 32 bits are an IPv4 address that a gateway connects to.
NAT64_PREFIXES = [ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48")]


class AddressRefused(Exception):
    """The host does not resolve, or resolves to an address this site must not call."""


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


def resolve(host, port, *, allow_private=False):
    """The addresses of `host`, looked up once; raises AddressRefused.

    Every address the host resolves to must be public (global unicast, and not an IPv6 form
    of a private IPv4 address), unless `allow_private` (development and tests). Connecting
    to these addresses and no other means a name that resolves differently a moment later
    (DNS rebinding) changes nothing.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(f"{host} does not resolve.") from exc
    addresses = tuple(dict.fromkeys((info[0], info[4]) for info in infos))
    if not allow_private:
        for _, sockaddr in addresses:
            address = ipaddress.ip_address(sockaddr[0].split("%")[0])
            if not is_public(address):
                raise AddressRefused(
                    f"{host} resolves to {address}, a private or reserved address."
                )
    return addresses


class Deadline:
    """The end of an exchange: connecting, sending and reading the answer all fit before it.

    A socket timeout bounds each read, not their sum, so a server that drips a byte a
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


def exchange(target, *, method, headers, body=None, deadline, limit, tls=None):
    """One request to the target before the deadline: (status, reason, answer headers, the
    first `limit` bytes of the answer). Raises TimeoutError when the deadline passes, and
    OSError or http.client.HTTPException for what the network or the server did."""
    sock = _open(target, deadline)
    deadline.watch(sock)
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(
            target.host, target.port, sock=sock, context=tls or tls_context(), timeout=None
        )
    else:
        connection = _PinnedHTTPConnection(target.host, target.port, sock=sock, timeout=None)
    try:
        sock.settimeout(deadline.remaining())
        connection.request(method, target.path, body=body, headers=headers)
        answer = connection.getresponse()
        content = answer.read(limit)
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
    return answer.status, answer.reason, answer.headers, content


def get(url, *, limit, timeout, allow_private=False, headers=None, redirects=3):
    """GET `url`, following up to `redirects` redirects, each checked as the first:
    (final URL, status, answer headers, the first `limit` bytes of the answer).

    Everything, redirects included, fits in `timeout` seconds. Raises AddressRefused for a
    URL that is not http(s) or whose host is not public (unless `allow_private`),
    TimeoutError, and OSError or http.client.HTTPException for what the network did.
    """
    deadline = Deadline(timeout)
    for _ in range(redirects + 1):
        target = _target(url, allow_private=allow_private)
        status, _reason, answer, content = exchange(
            target, method="GET", headers=headers or {}, deadline=deadline, limit=limit
        )
        if status not in (301, 302, 303, 307, 308) or not answer.get("Location"):
            return url, status, answer, content
        url = urljoin(url, answer["Location"])
    raise AddressRefused(f"More than {redirects} redirects.")


def send(url, *, method, headers, timeout, limit, allow_private=False):
    """One request to `url`, redirects not followed: (status, answer headers, the first
    `limit` bytes of the answer). Raises as get() does."""
    target = _target(url, allow_private=allow_private)
    status, _reason, answer, content = exchange(
        target, method=method, headers=headers, deadline=Deadline(timeout), limit=limit
    )
    return status, answer, content


def _target(url, *, allow_private):
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        raise AddressRefused(f"{url[:200]} is not an http or https address with a host.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    addresses = resolve(parts.hostname, port, allow_private=allow_private)
    return Target(parts.scheme, parts.hostname, port, path, addresses)

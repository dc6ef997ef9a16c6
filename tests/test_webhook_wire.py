"""The wire: https to public addresses only, the checked address pinned, a deadline per attempt."""

import datetime
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from editorial.models import Status
from editorial.services import record_transition
from webhooks import delivery, services
from webhooks.delivery import TargetRefused, check_target, post
from webhooks.models import Attempt, Delivery, DeliveryStatus, EventType, Subscription

from .factories import LaunchFactory
from .spare import wait_until
from .test_webhooks import receiver, subscribe  # noqa: F401 - the receiver fixture

PUBLIC = "93.184.215.14"


@pytest.fixture
def public_only(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    return settings


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:10.0.0.1",  # IPv4-mapped
        "::ffff:127.0.0.1",
        "64:ff9b::a00:1",  # NAT64, well-known prefix
        "64:ff9b::7f00:1",
        "64:ff9b:1::a00:1",  # NAT64, local-use prefix
        "::a00:1",  # IPv4-compatible
        "2002:a00:1::1",  # 6to4 around 10.0.0.1
        "fd00::1",
        "fe80::1",
        "ff02::1",
        "100.64.0.1",  # shared address space
        "198.18.0.1",  # benchmarking
        "0.0.0.0",
        "240.0.0.1",
        "224.0.0.1",
    ],
)
def test_private_addresses_are_refused_in_every_form(address, public_only):
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(TargetRefused, match="a private or reserved address"):
        check_target(f"https://{host}/hook")


def test_public_addresses_over_https_are_accepted(public_only):
    check_target(f"https://{PUBLIC}/hook")
    check_target("https://[2606:4700::1111]/hook")


def test_http_is_refused_unless_private_targets_are_allowed(public_only):
    with pytest.raises(TargetRefused, match="Only https URLs"):
        check_target(f"http://{PUBLIC}/hook")
    public_only.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    check_target("http://127.0.0.1:8000/hook")


class Rebinding:
    """A resolver that answers `first` for `name` the first time, and `then` after that."""

    def __init__(self, monkeypatch, name, first, then):
        self.calls = 0
        resolve = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host != name:
                return resolve(host, port, *args, **kwargs)
            self.calls += 1
            return resolve(first if self.calls == 1 else then, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def send(url):
    return post(url=url, secret="s", body=b"{}", event_type="launch.published", idempotency_key="k")


def test_a_name_that_rebinds_to_loopback_after_the_check_is_not_followed(
    monkeypatch,
    public_only,
    receiver,  # noqa: F811
):
    local = receiver()
    port = local.server.server_port
    resolver = Rebinding(monkeypatch, "hooks.example", PUBLIC, "127.0.0.1")
    connected = []
    connect = socket.socket.connect

    def recording_connect(sock, address):
        connected.append(address[:2])
        if address[0] == PUBLIC:
            raise ConnectionRefusedError("the tests have no network")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)

    response = send(f"https://hooks.example:{port}/hook")

    assert connected == [(PUBLIC, port)]
    assert resolver.calls == 1
    assert local.requests == []
    assert response.error.startswith("ConnectionRefusedError")


class Endpoint:
    """An http(s) receiver on `address` that answers 200 and notes the Host and TLS name."""

    def __init__(self, address, port=0, *, tls=None):
        self.hosts, self.server_names = [], []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.hosts.append(self.headers["Host"])
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((address, port), Handler)
        if tls is not None:
            tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_the_connection_goes_to_the_address_resolved_first(monkeypatch, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    second = Endpoint("127.0.0.2")
    first = Endpoint("127.0.0.1", second.port)
    Rebinding(monkeypatch, "hooks.example", "127.0.0.1", "127.0.0.2")
    try:
        response = send(f"http://hooks.example:{first.port}/hook")
    finally:
        first.close()
        second.close()
    assert (response.status_code, response.error) == (200, "")
    assert first.hosts == [f"hooks.example:{first.port}"]
    assert second.hosts == []


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A throwaway authority and a certificate it signed for hooks.test."""
    if not shutil.which("openssl"):
        pytest.skip("needs openssl")
    d = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run(
        *("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2"),
        *("-subj", "/CN=Salvo test authority"),
        *("-addext", "basicConstraints=critical,CA:TRUE"),
        *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
    )
    run("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=hooks.test")
    (d / "ext").write_text(
        "subjectAltName=DNS:hooks.test\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    run(
        *("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "ext"),
    )
    return d


@pytest.mark.parametrize(("name", "delivered"), [("hooks.test", True), ("other.test", False)])
def test_tls_checks_the_certificate_and_sends_the_name_of_the_url_host(
    monkeypatch, settings, certificates, name, delivered
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(certificates / "leaf.pem", certificates / "leaf.key")
    endpoint = Endpoint("127.0.0.1", tls=server_side)
    monkeypatch.setattr(
        delivery, "tls_context", lambda: ssl.create_default_context(cafile=certificates / "ca.pem")
    )
    Rebinding(monkeypatch, name, "127.0.0.1", "127.0.0.2")
    try:
        response = send(f"https://{name}:{endpoint.port}/hook")
    finally:
        endpoint.close()
    assert endpoint.server_names == [name]
    if delivered:
        assert (response.status_code, response.error) == (200, "")
        assert endpoint.hosts == [f"hooks.test:{endpoint.port}"]
    else:
        assert response.status_code is None
        assert "CERTIFICATE_VERIFY_FAILED" in response.error
        assert endpoint.hosts == []


class Dripping:
    """A receiver that reads the request whole, then answers one byte a second."""

    def __init__(self, head, body=b""):
        self.head, self.body = head, body
        self.stop = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/hook"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        with self.server, self.server.accept()[0] as client:
            request = b""
            while b"\r\n\r\n" not in request:
                request += client.recv(65536)
            head, _, body = request.partition(b"\r\n\r\n")
            length = int(next(line for line in head.split(b"\r\n") if b"Length" in line)[16:])
            while len(body) < length:
                body += client.recv(65536)
            try:
                client.sendall(self.head)
                for byte in self.body:
                    if self.stop.wait(1):
                        return
                    client.sendall(bytes([byte]))
            except OSError:
                return  # the sender hung up, as it should

    def close(self):
        self.stop.set()


DRIPS = {
    "headers": (b"", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    "body": (b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n", b"x" * 60),
}


@pytest.mark.parametrize("drip", list(DRIPS))
@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_deadline(settings, drip):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 2
    dripping = Dripping(*DRIPS[drip])
    subscribe(dripping.url, EventType.LAUNCH_PUBLISHED)
    launch = LaunchFactory(status=Status.DRAFT)

    started = time.monotonic()
    try:
        record_transition(instance=launch, status=Status.PUBLISHED)  # attempted inline
    finally:
        dripping.close()
    took = time.monotonic() - started

    assert 2 <= took < 3.5
    attempt = Attempt.objects.get()
    assert attempt.error == "Timed out: no whole answer within 2 s."
    assert (attempt.succeeded, attempt.status_code) == (False, None)
    assert 1900 <= attempt.duration_ms < 3000
    pending = Delivery.objects.get()
    assert (pending.status, pending.locked_until) == (DeliveryStatus.PENDING, None)


@pytest.mark.django_db(transaction=True)
def test_a_second_attempt_while_one_runs_does_nothing(receiver, settings):  # noqa: F811
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    endpoint = receiver(hold_first=True)
    subscription = subscribe(endpoint.url, EventType.LAUNCH_PUBLISHED)
    # Paused while publishing, so the delivery is written but not attempted inline.
    Subscription.objects.update(paused_at=timezone.now())
    record_transition(instance=LaunchFactory(status=Status.DRAFT), status=Status.PUBLISHED)
    Subscription.objects.update(paused_at=None)
    pending = Delivery.objects.get(subscription=subscription)

    def first_attempt():
        try:
            services.delivery_attempt(delivery_id=pending.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=first_attempt)
    worker.start()
    assert endpoint.held.wait(10), "the first attempt never reached the receiver"

    assert services.delivery_attempt(delivery_id=pending.pk) is None
    assert Attempt.objects.count() == 1

    endpoint.release()
    worker.join(10)
    assert len(endpoint.requests) == 1
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.SUCCEEDED
    assert list(pending.attempts.values_list("number", "status_code")) == [(1, 200)]


@pytest.mark.django_db(transaction=True)
def test_no_second_attempt_starts_when_a_dripping_one_would_have_outlived_its_lease(
    monkeypatch, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1.5  # longer than the drip's pauses
    monkeypatch.setattr(services, "LEASE_MARGIN", datetime.timedelta(seconds=0.5))
    dripping = Dripping(*DRIPS["headers"])
    subscription = subscribe(dripping.url, EventType.LAUNCH_PUBLISHED)
    Subscription.objects.update(paused_at=timezone.now())
    record_transition(instance=LaunchFactory(status=Status.DRAFT), status=Status.PUBLISHED)
    Subscription.objects.update(paused_at=None)
    pending = Delivery.objects.get(subscription=subscription)

    def first_attempt():
        try:
            services.delivery_attempt(delivery_id=pending.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=first_attempt)
    worker.start()
    try:
        wait_until(lambda: Delivery.objects.get().locked_until is not None)
        lease = Delivery.objects.get().locked_until
        time.sleep(max((lease - timezone.now()).total_seconds(), 0) + 0.2)

        assert services.delivery_attempt(delivery_id=pending.pk) is None
    finally:
        dripping.close()
        worker.join(10)
    assert list(Attempt.objects.values_list("number", "error")) == [
        (1, "Timed out: no whole answer within 1.5 s.")
    ]


@pytest.mark.django_db(transaction=True)
def test_an_outcome_logged_after_another_attempt_took_over_leaves_the_delivery_alone(
    monkeypatch, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    subscription = subscribe("http://127.0.0.1:9/hook", EventType.LAUNCH_PUBLISHED)
    Subscription.objects.update(paused_at=timezone.now())
    record_transition(instance=LaunchFactory(status=Status.DRAFT), status=Status.PUBLISHED)
    Subscription.objects.update(paused_at=None)
    pending = Delivery.objects.get(subscription=subscription)
    answers = []

    def post(**kwargs):
        answers.append(kwargs)
        if len(answers) == 1:  # the first attempt stalls past its lease; another takes over
            Delivery.objects.update(locked_until=timezone.now())
            services.delivery_attempt(delivery_id=pending.pk)
            return delivery.Response(status_code=500, error="HTTP 500 Internal Server Error")
        return delivery.Response(status_code=200)

    monkeypatch.setattr(services.wire, "post", post)

    services.delivery_attempt(delivery_id=pending.pk)

    pending.refresh_from_db()
    assert (pending.status, pending.locked_until) == (DeliveryStatus.SUCCEEDED, None)
    assert list(pending.attempts.values_list("number", "status_code")) == [(1, 500), (2, 200)]
    assert Subscription.objects.get().consecutive_failures == 0

"""Test helpers for what a test starts of its own: a redis-server it may stop and start."""

import contextlib
import os
import shutil
import socket
import subprocess
import time

# One port for each process of a parallel run (pytest-xdist names them gw0, gw1, ...).
SPARE_REDIS_PORT = 6391 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def wait_until(predicate, *, timeout=20, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"still waiting after {timeout} s")


class SpareRedis:
    """A redis-server of our own, on a spare port, that the test may stop and start."""

    def __init__(self, port):
        self.port, self.url, self.process = port, f"redis://127.0.0.1:{port}/0", None

    def start(self):
        self.process = subprocess.Popen(
            [
                *(shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10)

    def stop(self):
        self.process.kill()
        self.process.wait()
        wait_until(lambda: not self._answers(), timeout=10)

    def _answers(self):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
            return True
        return False

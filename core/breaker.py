"""One circuit breaker for every call to a service that may be down (the Redis cache)."""

import threading
import time


class Breaker:
    """After a failure, leave the service alone for a while: callers ask `is_open()` before
    trying it, `trip(seconds)` when it failed, and `reset()` once it answered again. So that a
    service that is down costs one wait every few seconds, not one per request."""

    def __init__(self):
        self.lock = threading.Lock()
        self.open_until = float("-inf")

    def is_open(self):
        return time.monotonic() < self.open_until

    def trip(self, seconds):
        with self.lock:
            self.open_until = max(self.open_until, time.monotonic() + seconds)

    def reset(self):
        with self.lock:
            self.open_until = float("-inf")

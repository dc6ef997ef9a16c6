"""JSON log lines carrying the id of the request they belong to."""

import contextvars
import json
import logging
import re
import uuid

from .clients import client_address

request_id = contextvars.ContextVar("request_id", default="-")
# The client's address as the throttles and the login lockout see it (core.clients).
client = contextvars.ContextVar("client", default="-")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Values that must never reach a log line, whatever logged them.
_SECRETS = re.compile(
    r"(?i)(authorization|token|password|secret|api[_-]?key|sessionid|csrftoken)"
    r"(['\"]?\s*[:=]\s*['\"]?)([^\s'\",;&]+)"
)


def redact(text):
    return _SECRETS.sub(lambda m: f"{m[1]}{m[2]}[redacted]", text)


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy (or makes one), logs with it and the client's
    address, and returns it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id, request.client_address = rid, client_address(request) or "-"
        token, address = request_id.set(rid), client.set(request.client_address)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
            client.reset(address)
        response["X-Request-ID"] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id, record.client = request_id.get(), client.get()
        # django.request logs a response's status after the middleware has returned; its
        # records carry the request itself.
        request = getattr(record, "request", None)
        if record.request_id == "-" and hasattr(request, "request_id"):
            record.request_id, record.client = request.request_id, request.client_address
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, client, message, exception."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "client": getattr(record, "client", "-"),
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)

"""JSON log lines carrying the id of the request they belong to."""

import contextvars
import json
import logging
import re
import uuid

request_id = contextvars.ContextVar("request_id", default="-")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Values that must never reach a log line, whatever logged them.
_SECRETS = re.compile(
    r"(?i)(authorization|token|password|secret|api[_-]?key|sessionid|csrftoken)"
    r"(['\"]?\s*[:=]\s*['\"]?)([^\s'\",;&]+)"
)


def redact(text):
    return _SECRETS.sub(lambda m: f"{m[1]}{m[2]}[redacted]", text)


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy (or makes one), logs with it and returns it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, exception."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)

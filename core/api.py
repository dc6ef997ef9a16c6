"""API plumbing shared by every endpoint: pagination, strict query parameters, CSV,
conditional GET, errors, throttles."""

import copy
import datetime
import functools
import hashlib
import json
import logging

from django import forms
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.constants import LOOKUP_SEP
from django.http import JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import (
    exceptions,
    filters,
    negotiation,
    pagination,
    renderers,
    serializers,
)
from rest_framework.views import exception_handler as drf_exception_handler

from .csv import csv_text
from .errors import too_large_message
from .renderers import JSONRenderer
from .schema import query_parameters

# The throttles live in core.throttling; imported here too, where code and tests found them.
from .throttling import AnonThrottle, OpenWhenUncountable, TokenThrottle  # noqa: F401

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 200


class CursorPagination(pagination.CursorPagination):
    """Opaque cursors over a stable ordering; `page_size` up to MAX_PAGE_SIZE.

    The next and previous pages are also given in a `Link` header, for CSV clients.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = f"Records per page, 1 to {MAX_PAGE_SIZE} (default 50)."
    cursor_query_description = "The `next` or `previous` cursor of the page before."

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        refuse_empty(request, [self.cursor_query_param, self.page_size_query_param])
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """The cursor asked for; a 404 naming the parameter when it is not one this API gave
        out, including a position no record of the ordering field could hold."""
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise invalid_cursor(self.cursor_query_param) from None
        if cursor is not None and cursor.position is not None:
            field = ordering_field(self.model, self.ordering[0])
            if not position_fits(field, cursor.position):
                raise invalid_cursor(self.cursor_query_param)
        return cursor

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


def invalid_cursor(parameter="cursor"):
    """A cursor this API never gave out names no page: 404, as for any unknown page."""
    return exceptions.NotFound({parameter: ["Not a cursor this API gave out."]})


def ordering_field(model, term):
    """The model field an ordering term (`-stance`, `launch__sort_at`) sorts by."""
    *relations, name = term.lstrip("-").split(LOOKUP_SEP)
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


def position_fits(field, position):
    """Whether a cursor's position is a value of `field` as this API writes one: a whole
    number in the column's range, a date, a datetime in UTC (the database's own offsets)."""
    if isinstance(position, str) and "\x00" in position:
        return False
    try:
        value = field.to_python(position)
        for validator in field.validators:
            validator(value)
    except (DjangoValidationError, OverflowError, ValueError, TypeError):
        return False
    if isinstance(value, datetime.datetime):
        return in_utc(value)
    return True


def in_utc(moment):
    """Whether `moment` is aware and at offset zero, as every time this API gives out is."""
    return moment.utcoffset() == datetime.timedelta(0)


EMPTY_VALUE = "Give a value, or leave the parameter out."


def refuse_empty(request, names):
    """A 400 naming each of `names` given in the query string with only empty values: an
    empty filter is a mistake to report, not the same as leaving the filter out."""
    params = request.query_params
    empty = sorted(
        name
        for name in names
        if name in params and all(not value.strip() for value in params.getlist(name))
    )
    if empty:
        raise exceptions.ValidationError({name: [EMPTY_VALUE] for name in empty})


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """REST framework's negotiation; `?format=` given empty is a 400, not the default."""

    def select_renderer(self, request, renderers, format_suffix=None):
        refuse_empty(request, [self.settings.URL_FORMAT_OVERRIDE])
        return super().select_renderer(request, renderers, format_suffix)


def refuse_unknown(request):
    """A 400 naming each query parameter the endpoint at this address does not read, with
    those it does: a mistyped filter (`?outcome=failure`) would otherwise be ignored, and the
    whole list answered as if it had matched. The names read are those the OpenAPI schema
    documents (core.schema); an endpoint it cannot describe is not checked."""
    if not request.query_params:
        return
    known = query_parameters().get(getattr(request.resolver_match, "func", None))
    if known is None:
        return
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        message = f"Not a parameter of this endpoint; it reads {', '.join(sorted(known))}."
        raise exceptions.ValidationError({name: [message] for name in unknown})


class StrictQueryMixin:
    """Reads refuse query parameters the endpoint does not read (refuse_unknown), once the
    client is known to be allowed and within its rate."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            refuse_unknown(request)


def name_the_choices(form):
    """Have each menu of `form` name its values when one given is not among them."""
    for field in form.fields.values():
        if isinstance(field, forms.ChoiceField):
            values = ", ".join(str(value) for value, _ in field.choices if value not in ("", None))
            field.error_messages["invalid_choice"] = (
                "%(value)s is not one of the choices: " + values.replace("%", "%%") + "."
            )
    return form


def any_given(data, filterset_class):
    """True when `data` gives a value to any filter of `filterset_class`, as its form would
    read it: a range filter's widget reads its name with suffixes (`_min`, `_after`…)."""
    return any(
        not widget.value_omitted_from_data(data, {}, name)
        for name, widget in filter_widgets(filterset_class).items()
    )


@functools.cache
def filter_widgets(filterset_class):
    """{name: the widget its form field reads the data with} of each filter, built from a
    copy: the class's own filters are left without a form field, as django-filter expects."""
    return {
        name: copy.deepcopy(spec).field.widget
        for name, spec in filterset_class.base_filters.items()
    }


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend; a filter parameter given empty is a 400 naming it, and a
    value that is not one of a filter's choices is a 400 naming them."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refuse_empty(request, filterset_class.base_filters)
            if not any_given(request.query_params, filterset_class):
                # Every filter leaves a queryset as it is when given nothing; building the
                # filterset and its form to find that out was a fifth of an unfiltered list.
                return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            name_the_choices(filterset.form)
        return filterset


def with_tiebreak(ordering):
    """`ordering` ended by the id, in the direction of its last term: records that tie on
    a non-unique field (two launches on one day) come in the same order on every page."""
    if not ordering or ordering[-1].lstrip("-") in ("id", "pk"):
        return ordering
    return [*ordering, "-id" if ordering[-1].startswith("-") else "id"]


class StrictOrderingFilter(filters.OrderingFilter):
    """`ordering` by the fields a view lists; any other field is a 400, not silently ignored."""

    ordering_description = "Comma-separated fields to sort by; prefix with - for descending."

    def get_ordering(self, request, queryset, view):
        refuse_empty(request, [self.ordering_param])
        params = request.query_params.get(self.ordering_param)
        if params:
            valid = {
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            }
            unknown = [term for term in params.split(",") if term.strip().lstrip("-") not in valid]
            if unknown:
                message = f"Cannot sort by {', '.join(unknown)}; try {', '.join(sorted(valid))}."
                raise exceptions.ValidationError({self.ordering_param: [message]})
        return with_tiebreak(super().get_ordering(request, queryset, view))

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = [name for name in getattr(view, "ordering_fields", ()) if name != "__all__"]
        for parameter in parameters:
            parameter["schema"] = {
                "type": "string",
                "pattern": rf"^-?({'|'.join(fields)})(,-?({'|'.join(fields)}))*$",
            }
        return parameters


def flatten(record, prefix=""):
    """One CSV row from a nested record: `claims.0.value`-style keys become `a.b` columns."""
    row = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            if all(not isinstance(item, dict | list) for item in value):
                row[name] = "; ".join("" if item is None else str(item) for item in value)
            else:
                row[name] = json.dumps(value, ensure_ascii=False, default=str)
        else:
            row[name] = value
    return row


class CSVRenderer(renderers.BaseRenderer):
    """The records of a page (or one record) as CSV, safe to open in a spreadsheet."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        records = data if isinstance(data, list) else [data]
        rows = [flatten(record) for record in records if isinstance(record, dict)]
        columns = list(dict.fromkeys(name for row in rows for name in row))
        return csv_text(columns, ([row.get(name, "") for name in columns] for row in rows)).encode()


class ConditionalGetMixin(StrictQueryMixin):
    """ETag on successful reads, 304 on a repeat; errors are JSON whatever the format asked.
    Every read endpoint has it, and with it strict query parameters (StrictQueryMixin)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(
            getattr(response, "accepted_renderer", None), CSVRenderer
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["ETag"] = etag
        return get_conditional_response(request, etag=etag, response=response)


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"


def exception_handler(exc, context):
    """DRF's handler, also turning model validation errors into 400s with field messages,
    and a body over DATA_UPLOAD_MAX_MEMORY_SIZE into a 413."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(too_large_message())
    return drf_exception_handler(exc, context)


def not_found(request, *args, **kwargs):
    """A JSON 404 for any path under /api/ that names no endpoint."""
    return JsonResponse({"detail": "No API endpoint at this address."}, status=404)


def contains_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    if isinstance(value, dict):
        return any(contains_nul(item) for item in value.values())
    return False


class StrictFieldsMixin:
    """A request body naming a field the serializer does not know is refused, not ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            with_nul = sorted(name for name, value in data.items() if contains_nul(value))
            if with_nul:
                raise exceptions.ValidationError(
                    {name: ["Null characters are not allowed."] for name in with_nul}
                )
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise exceptions.ValidationError(
                    {name: ["Not a field you can set here."] for name in unknown}
                )
        return super().to_internal_value(data)

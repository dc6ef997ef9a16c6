"""The API's base for records that go through review: read for everyone, written through
the editorial services with the model permissions."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets

from core.api import ConditionalGetMixin, StrictFieldsMixin

from . import services

ERRORS = {
    400: OpenApiResponse(description="A parameter or a field is invalid; messages per field."),
    401: OpenApiResponse(description="Writing needs a token: `Authorization: Token <key>`."),
    403: OpenApiResponse(description="The token's user lacks the permission for this."),
    404: OpenApiResponse(description="No such record, or not one this client may see."),
}
READ_ERRORS = {400: ERRORS[400], 404: ERRORS[404]}

# The router's default lookup, less NUL: PostgreSQL refuses NUL in a text parameter, so an
# address carrying one must be a 404 before any lookup reaches the database.
LOOKUP_VALUE = r"[^/.\x00]+"


# What each operation of a record endpoint answers: its status, a list or one, its errors.
OPERATIONS = {
    "list": (200, True, READ_ERRORS),
    "retrieve": (200, False, READ_ERRORS),
    "create": (201, False, ERRORS),
    "partial_update": (200, False, ERRORS),
}


def record_schema(serializer, **operations):
    """The documentation of a record endpoint: for each operation, extend_schema's own
    arguments (summary, description, parameters); what it answers comes from `serializer`."""
    views = {}
    for name, arguments in operations.items():
        status, many, errors = OPERATIONS[name]
        body = serializer(many=True) if many else serializer
        views[name] = extend_schema(**arguments, responses={status: body, **errors})
    return extend_schema_view(**views)


class RecordViewSet(ConditionalGetMixin, viewsets.ModelViewSet):
    """Read for everyone; create and change through the services, with the model permissions.

    A client whose user may change a kind of record also sees its drafts.
    """

    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = LOOKUP_VALUE
    model = None

    def sees_drafts(self):
        meta = self.model._meta
        return self.request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}")

    def records(self, *, drafts):
        raise NotImplementedError

    def get_queryset(self):
        # Asked for twice a request (the permission check wants only its model): built once.
        if not hasattr(self, "_records"):
            self._records = self.records(drafts=self.sees_drafts())
        return self._records.all()

    def create_record(self, *, user, **fields):
        raise NotImplementedError

    def update_record(self, instance, *, user, **fields):
        raise NotImplementedError

    def perform_create(self, serializer):
        try:
            instance = self.create_record(user=self.request.user, **serializer.validated_data)
        except services.TransitionRefused as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        serializer.instance = self.records(drafts=True).get(pk=instance.pk)

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        status = fields.pop("status", None)
        instance = serializer.instance
        try:
            with transaction.atomic():
                self.update_record(instance, user=self.request.user, **fields)
                if status is not None:
                    services.record_transition(
                        instance=instance, status=status, user=self.request.user
                    )
        except services.TransitionRefused as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        serializer.instance = self.records(drafts=True).get(pk=instance.pk)


class RecordSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """Translates between JSON and a record; the viewset's services do the writing."""

    def to_internal_value(self, data):
        # DRF reads any iterable as a list of ids, so `"sources": {}` would clear them all.
        if isinstance(data, dict):
            not_lists = sorted(
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.ManyRelatedField)
                and name in data
                and not isinstance(data[name], list)
            )
            if not_lists:
                raise exceptions.ValidationError(
                    {name: ["Expected a list of ids, e.g. [1, 2]."] for name in not_lists}
                )
        return super().to_internal_value(data)

    def create(self, validated_data):
        raise NotImplementedError("records are created by the services")

    def update(self, instance, validated_data):
        raise NotImplementedError("records are changed by the services")

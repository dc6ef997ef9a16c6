"""Webhook subscriptions in the API: token-authenticated, with model permissions."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, pagination, permissions, serializers, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from timeline.api import ERRORS

from . import services
from .delivery import TargetRefused, check_target
from .models import EventType, Subscription


class SubscriptionSerializer(serializers.ModelSerializer):
    event_types = serializers.MultipleChoiceField(choices=EventType.choices)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "name",
            "target_url",
            "event_types",
            "is_active",
            "secret",
            "paused_at",
            "consecutive_failures",
            "created_at",
        ]
        read_only_fields = ["secret", "paused_at", "consecutive_failures", "created_at"]
        # DRF's own fields refuse NUL and malformed URLs; the model's validators, copied in
        # as well, would give each message twice. The service validates the model anyway.
        extra_kwargs = {"name": {"validators": []}, "target_url": {"validators": []}}

    def validate_target_url(self, value):
        try:
            check_target(value)
        except TargetRefused as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["event_types"] = sorted(data["event_types"])
        return data


class ModelPermissionsIncludingView(permissions.DjangoModelPermissions):
    """Reading subscriptions needs the view permission: they carry secrets."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class SubscriptionPagination(pagination.PageNumberPagination):
    page_size = 50


def _documented(serializer, *, success=200):
    return extend_schema(responses={success: serializer, **ERRORS})


@extend_schema_view(
    list=_documented(SubscriptionSerializer(many=True)),
    retrieve=_documented(SubscriptionSerializer),
    create=_documented(SubscriptionSerializer, success=201),
    update=_documented(SubscriptionSerializer),
    partial_update=_documented(SubscriptionSerializer),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class SubscriptionViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SubscriptionSerializer
    authentication_classes = [TokenAuthentication]
    permission_classes = [ModelPermissionsIncludingView]
    pagination_class = SubscriptionPagination
    filterset_class = None
    queryset = Subscription.objects.order_by("name", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.subscription_create(
            name=data["name"],
            target_url=data["target_url"],
            event_types=data["event_types"],
            is_active=data.get("is_active", True),
            created_by=self.request.user,
        )

    def perform_update(self, serializer):
        serializer.instance = services.subscription_update(
            subscription=serializer.instance, **serializer.validated_data
        )

    @_documented(SubscriptionSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Take back a subscription that repeated failures paused."""
        subscription = services.subscription_resume(subscription=self.get_object())
        return Response(self.get_serializer(subscription).data)

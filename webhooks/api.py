"""Webhook subscriptions in the API: token-authenticated, with model permissions."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, pagination, permissions, serializers, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import StrictQueryMixin
from editorial.api import ERRORS

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
            "paused_at",
            "consecutive_failures",
            "created_at",
        ]
        read_only_fields = ["paused_at", "consecutive_failures", "created_at"]
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


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    """A subscription with its secret: only in the answer that made or rotated it."""

    secret = serializers.CharField(
        read_only=True,
        help_text="Signs every delivery. Shown only in this answer: keep it, or rotate it.",
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [
            *SubscriptionSerializer.Meta.fields[:5],
            "secret",
            *SubscriptionSerializer.Meta.fields[5:],
        ]


class ModelPermissionsIncludingView(permissions.DjangoModelPermissions):
    """Reading subscriptions needs the view permission."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class ChangePermissionToAct(ModelPermissionsIncludingView):
    """Acting on a subscription (resume it, rotate its secret) needs the change permission."""

    perms_map = {
        **ModelPermissionsIncludingView.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }


class SubscriptionPagination(pagination.PageNumberPagination):
    page_size = 50


def _documented(serializer, *, success=200, **kwargs):
    return extend_schema(responses={success: serializer, **ERRORS}, **kwargs)


@extend_schema_view(
    list=_documented(
        SubscriptionSerializer(many=True),
        summary="List your webhook subscriptions",
        description="The subscriptions of the token's account (every one for a superuser). "
        "Secrets are never listed.",
    ),
    retrieve=_documented(SubscriptionSerializer, summary="Get one of your subscriptions"),
    create=_documented(
        SubscriptionWithSecretSerializer,
        success=201,
        summary="Subscribe to webhook events",
        description="The subscription belongs to the token's account. The answer carries "
        "its `secret`, the only time it is shown. `target_url` must be an https URL of a "
        "public address.",
    ),
    update=_documented(SubscriptionSerializer, summary="Replace one of your subscriptions"),
    partial_update=_documented(SubscriptionSerializer, summary="Change one of your subscriptions"),
    destroy=extend_schema(
        summary="Delete one of your subscriptions", responses={204: None, **ERRORS}
    ),
)
class SubscriptionViewSet(
    StrictQueryMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Subscriptions of the token's account; another account's are not found (404)."""

    serializer_class = SubscriptionSerializer
    authentication_classes = [TokenAuthentication]
    permission_classes = [ModelPermissionsIncludingView]
    pagination_class = SubscriptionPagination
    filterset_class = None

    def get_queryset(self):
        return Subscription.objects.visible_to(self.request.user).order_by("name", "id")

    def get_serializer_class(self):
        if self.action in {"create", "rotate_secret"}:
            return SubscriptionWithSecretSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.subscription_create(
            owner=self.request.user,
            name=data["name"],
            target_url=data["target_url"],
            event_types=data["event_types"],
            is_active=data.get("is_active", True),
        )

    def perform_update(self, serializer):
        serializer.instance = services.subscription_update(
            subscription=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.subscription_delete(subscription=instance, user=self.request.user)

    @_documented(
        SubscriptionSerializer,
        request=None,
        summary="Resume a paused subscription",
        description="Sends what waited while it was paused, with a fresh day of retries. "
        "Needs the change permission.",
    )
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissionToAct])
    def resume(self, request, pk=None):
        """Take back a subscription that repeated failures paused."""
        subscription = services.subscription_resume(
            subscription=self.get_object(), user=request.user
        )
        return Response(self.get_serializer(subscription).data)

    @_documented(
        SubscriptionWithSecretSerializer,
        request=None,
        summary="Rotate a subscription's secret",
        description="Replaces the secret and answers the new one, the only time it is shown. "
        "Deliveries signed from now on, retries included, use it. Needs the change permission.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="rotate-secret",
        permission_classes=[ChangePermissionToAct],
    )
    def rotate_secret(self, request, pk=None):
        """A new secret for the subscription, shown once."""
        subscription = services.subscription_rotate_secret(
            subscription=self.get_object(), user=request.user
        )
        return Response(self.get_serializer(subscription).data)

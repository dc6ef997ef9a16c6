"""Webhook subscriptions in the API, mounted at /api/v1/webhooks/."""

from rest_framework.routers import SimpleRouter

from .api import SubscriptionViewSet

router = SimpleRouter()
router.register("subscriptions", SubscriptionViewSet, basename="webhook-subscription")

urlpatterns = router.urls

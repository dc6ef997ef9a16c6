"""Webhook subscriptions in the API, mounted at /api/v1/webhooks/."""

urlpatterns = []

"""The REST API, mounted at /api/."""

urlpatterns = []

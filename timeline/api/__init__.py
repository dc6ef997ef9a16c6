"""The timeline in the API: launches with their claims, events, links and sources.

The launch endpoint readers use, with its reactions (`?expand=statements`), the merged
timeline stream and the sources endpoint are explore.api's subclasses of these."""

from .serializers import (
    ClaimSerializer,
    EventSerializer,
    LaunchClaimSerializer,
    LaunchLinkSerializer,
    LaunchSerializer,
    LinkSerializer,
    SourceSerializer,
)
from .views import (
    EXPAND,
    ClaimFilter,
    ClaimViewSet,
    EventViewSet,
    LaunchViewSet,
    LinkViewSet,
    SourceViewSet,
    launch_schema,
)

__all__ = [
    "EXPAND",
    "ClaimFilter",
    "ClaimSerializer",
    "ClaimViewSet",
    "EventSerializer",
    "EventViewSet",
    "LaunchClaimSerializer",
    "LaunchLinkSerializer",
    "LaunchSerializer",
    "LaunchViewSet",
    "LinkSerializer",
    "LinkViewSet",
    "SourceSerializer",
    "SourceViewSet",
    "launch_schema",
]

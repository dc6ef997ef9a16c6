"""What the API gives that combines launches and reactions: launches with their statements
(`?expand=statements`), the sources readers may see, the merged timeline stream, the stats,
the launch sites as GeoJSON and the deletions feed."""

from .deletions import DeletionsView
from .launches import LaunchSerializer, LaunchStatementSerializer, LaunchViewSet, SourceViewSet
from .sites import SitesView
from .stats import StatsView
from .stream import TimelineView

__all__ = [
    "DeletionsView",
    "LaunchSerializer",
    "LaunchStatementSerializer",
    "LaunchViewSet",
    "SitesView",
    "SourceViewSet",
    "StatsView",
    "TimelineView",
]

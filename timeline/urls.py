from django.urls import path

from . import views
from .feeds import LaunchFeed

app_name = "timeline"

urlpatterns = [
    path("", views.index, name="index"),
    path("launches/<slug:slug>/", views.launch_detail, name="launch"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("charts/", views.charts, name="charts"),
    path("feeds/launches/", LaunchFeed(), name="launch-feed"),
]

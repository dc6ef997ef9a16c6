from django.urls import path

from . import views
from .feeds import LaunchFeed

app_name = "timeline"

urlpatterns = [
    path("events/", views.event_list, name="event-list"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("feeds/launches/", LaunchFeed(), name="launch-feed"),
]

from django.urls import path, register_converter
from django.urls.converters import StringConverter

from . import views
from .feeds import ActorStatementFeed, StatementFeed

app_name = "reactions"


class ActorCodeConverter(StringConverter):
    """Any path segment but one with NUL, which PostgreSQL refuses in a lookup: a 404."""

    regex = "[^/\x00]+"


register_converter(ActorCodeConverter, "actor_code")

urlpatterns = [
    path("actors/", views.actor_list, name="actor-list"),
    path("actors/<actor_code:code>/", views.actor_detail, name="actor"),
    path("actors/<actor_code:code>/feed/", ActorStatementFeed(), name="actor-feed"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("feeds/statements/", StatementFeed(), name="statement-feed"),
]

from django.urls import path

from . import views
from .feeds import ActorStatementFeed, StatementFeed

app_name = "reactions"

urlpatterns = [
    path("actors/<str:code>/", views.actor_detail, name="actor"),
    path("actors/<str:code>/feed/", ActorStatementFeed(), name="actor-feed"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("matrix/", views.stance_matrix, name="matrix"),
    path("search/", views.search, name="search"),
    path("feeds/statements/", StatementFeed(), name="statement-feed"),
]

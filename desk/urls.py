from django.contrib import admin
from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", admin.site.admin_view(views.desk), name="desk"),
]

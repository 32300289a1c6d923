from django.urls import path

from blocs import views

app_name = "blocs"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("blocs/<int:bloc_id>/", views.bloc_detail, name="bloc_detail"),
    path("blocs/<int:bloc_id>/rotate/", views.bloc_rotate_confirm, name="bloc_rotate_confirm"),
    path("blocs/<int:bloc_id>/rotate/apply/", views.bloc_rotate_view, name="bloc_rotate"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("units/<int:unit_id>/blockers/new/", views.blocker_create, name="blocker_create"),
    path("blockers/<int:blocker_id>/end/", views.blocker_close, name="blocker_end"),
]

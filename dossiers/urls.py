from django.urls import path

from dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("o/<slug:slug>/dossiers/", views.dossier_list, name="dossier-list"),
    path("o/<slug:slug>/dossiers/<int:pk>/", views.dossier_detail, name="dossier-detail"),
    path("o/<slug:slug>/dossiers/<int:pk>/status/", views.dossier_status, name="dossier-status"),
    path(
        "o/<slug:slug>/dossiers/<int:pk>/download/", views.dossier_download, name="dossier-download"
    ),
    path("o/<slug:slug>/dossiers/<int:pk>/retry/", views.dossier_retry_view, name="dossier-retry"),
]

from django.urls import path

from sovereignty import views

app_name = "sovereignty"

urlpatterns = [
    path("o/<slug:slug>/sovereignty/", views.register, name="register"),
    path("o/<slug:slug>/sovereignty/storage/new/", views.storage_create, name="storage-create"),
    path("o/<slug:slug>/sovereignty/storage/<int:pk>/", views.storage_edit, name="storage-edit"),
    path(
        "o/<slug:slug>/sovereignty/storage/<int:pk>/delete/",
        views.storage_remove,
        name="storage-delete",
    ),
    path("o/<slug:slug>/sovereignty/access/new/", views.access_create, name="access-create"),
    path("o/<slug:slug>/sovereignty/access/<int:pk>/", views.access_edit, name="access-edit"),
    path(
        "o/<slug:slug>/sovereignty/access/<int:pk>/delete/",
        views.access_remove,
        name="access-delete",
    ),
    path("o/<slug:slug>/sovereignty/laws/new/", views.law_create, name="law-create"),
    path("o/<slug:slug>/sovereignty/laws/<int:pk>/", views.law_edit, name="law-edit"),
    path("o/<slug:slug>/sovereignty/laws/<int:pk>/delete/", views.law_remove, name="law-delete"),
]

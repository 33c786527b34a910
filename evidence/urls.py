from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("o/<slug:slug>/evidence/", views.item_list, name="item-list"),
    path("o/<slug:slug>/evidence/review-due/", views.review_due, name="review-due"),
    path("o/<slug:slug>/evidence/<int:pk>/", views.item_detail, name="item-detail"),
    path("o/<slug:slug>/evidence/<int:pk>/status/", views.item_status, name="item-status"),
    path("o/<slug:slug>/evidence/<int:pk>/versions/", views.version_upload, name="version-upload"),
    path(
        "o/<slug:slug>/evidence/<int:pk>/v/<int:number>/view/",
        views.version_view,
        name="version-view",
    ),
    path(
        "o/<slug:slug>/evidence/<int:pk>/v/<int:number>/download/",
        views.version_download,
        name="version-download",
    ),
    path(
        "o/<slug:slug>/certificates/<int:pk>/file/",
        views.certificate_file_upload,
        name="certificate-file",
    ),
    path(
        "o/<slug:slug>/requirements/<int:rpk>/evidence/",
        views.requirement_evidence,
        name="requirement-evidence",
    ),
]

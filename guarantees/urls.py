from django.urls import path

from guarantees import views

app_name = "guarantees"

urlpatterns = [
    path("o/<slug:slug>/guarantees/", views.guarantees_page, name="guarantees-page"),
    path(
        "o/<slug:slug>/guarantees/publish/",
        views.guarantees_publish_view,
        name="guarantees-publish",
    ),
    # Public, no login (HDS v2 EXI 31: a dedicated page of an accessible web site).
    path("garanties/<slug:slug>/", views.public_latest, name="public-latest"),
    path("garanties/<slug:slug>/<int:number>/", views.public_version, name="public-version"),
    path("garanties/<slug:slug>/<int:number>/pdf/", views.public_pdf, name="public-pdf"),
]

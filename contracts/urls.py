from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("o/<slug:slug>/contracts/", views.contract_list, name="contract-list"),
    path("o/<slug:slug>/contracts/new/", views.contract_create, name="contract-create"),
    path("o/<slug:slug>/contracts/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("o/<slug:slug>/contracts/<int:pk>/edit/", views.contract_edit, name="contract-edit"),
    path("o/<slug:slug>/contracts/<int:pk>/delete/", views.contract_remove, name="contract-delete"),
    path("o/<slug:slug>/contracts/clients/", views.client_list, name="client-list"),
    path(
        "o/<slug:slug>/contracts/clients/contacts.xlsx",
        views.contact_export,
        name="contact-export",
    ),
    path("o/<slug:slug>/contracts/clients/<int:pk>/", views.client_detail, name="client-detail"),
    path(
        "o/<slug:slug>/contracts/clients/<int:pk>/certificates/",
        views.client_certificates,
        name="client-certificates",
    ),
    path(
        "o/<slug:slug>/contracts/clients/<int:pk>/delete/",
        views.client_remove,
        name="client-delete",
    ),
    path(
        "o/<slug:slug>/contracts/clients/<int:pk>/contacts/",
        views.contact_create,
        name="contact-create",
    ),
    path("o/<slug:slug>/contracts/contacts/<int:pk>/", views.contact_edit, name="contact-edit"),
    path(
        "o/<slug:slug>/contracts/contacts/<int:pk>/delete/",
        views.contact_remove,
        name="contact-delete",
    ),
]

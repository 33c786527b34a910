from django.urls import path

from scopes.views import catalog, certificate, certified_hosts, readiness, scope, soa

app_name = "scopes"

urlpatterns = [
    path("o/<slug:slug>/scope/", scope.scope_edit, name="scope-edit"),
    path("o/<slug:slug>/scope/profile/", scope.profile_edit, name="profile-edit"),
    path("o/<slug:slug>/subcontractors/", scope.subcontractor_list, name="subcontractor-list"),
    path(
        "o/<slug:slug>/subcontractors/<int:pk>/",
        scope.subcontractor_detail,
        name="subcontractor-detail",
    ),
    path("o/<slug:slug>/certificates/new/", scope.certificate_create, name="certificate-create"),
    path(
        "o/<slug:slug>/certificates/<int:pk>/edit/",
        scope.certificate_edit,
        name="certificate-edit",
    ),
    path(
        "o/<slug:slug>/certificates/<int:pk>/",
        certificate.certificate_detail,
        name="certificate-detail",
    ),
    path(
        "o/<slug:slug>/certificates/<int:pk>/status/",
        certificate.certificate_status,
        name="certificate-status",
    ),
    path(
        "o/<slug:slug>/certificate-tasks/<int:pk>/done/",
        certificate.procedure_task_done,
        name="procedure-task-done",
    ),
    path(
        "o/<slug:slug>/certificates/<int:pk>/delete/",
        scope.certificate_remove,
        name="certificate-delete",
    ),
    path("o/<slug:slug>/chain/", scope.chain_view, name="chain-view"),
    path("o/<slug:slug>/certified-hosts/", certified_hosts.host_list, name="host-list"),
    path(
        "o/<slug:slug>/certified-hosts/upload/",
        certified_hosts.host_list_upload_view,
        name="host-list-upload",
    ),
    path(
        "o/<slug:slug>/certified-hosts/import/",
        certified_hosts.host_list_import_view,
        name="host-list-import",
    ),
    path("o/<slug:slug>/iso27001/", scope.iso_view, name="iso-view"),
    path("o/<slug:slug>/readiness/<slug:code>/", readiness.readiness_list, name="readiness-list"),
    path(
        "o/<slug:slug>/readiness/<slug:code>/bulk/",
        readiness.readiness_bulk,
        name="readiness-bulk",
    ),
    path(
        "o/<slug:slug>/requirements/<int:pk>/readiness/",
        readiness.readiness_edit,
        name="readiness-edit",
    ),
    path("o/<slug:slug>/soa/", soa.soa_list, name="soa-list"),
    path("o/<slug:slug>/soa/<int:pk>/", soa.soa_edit, name="soa-edit"),
    path("o/<slug:slug>/soa/print/", soa.soa_print, name="soa-print"),
    path("o/<slug:slug>/soa/export.xlsx", soa.soa_export, name="soa-export"),
    path("o/<slug:slug>/soa/import/", soa.soa_import_upload, name="soa-import"),
    path("o/<slug:slug>/catalog/", catalog.catalog_list, name="catalog-list"),
    path("o/<slug:slug>/catalog/import/", catalog.catalog_import, name="catalog-import"),
    path("o/<slug:slug>/catalog/<int:pk>/", catalog.catalog_detail, name="catalog-detail"),
]

"""The scopes app's part of the REST API, under /api/o/<slug>/: the catalog (read only), the scope
and host profile, subcontractors, certificates, the Statement of Applicability and readiness.

Every object is looked up inside the organisation by the selectors (another organisation's id is
a 404) and every change is one service call, which checks it and writes the audit trail. A
ScopeError becomes a 400 whose `detail` is the service's message.
"""

from __future__ import annotations

from django.urls import path

from scopes.api.assessment import ReadinessDetail, ReadinessList, SoADetail, SoAList
from scopes.api.catalog import FrameworkList, RequirementList
from scopes.api.certified_hosts import HostCheckList, HostListDetail
from scopes.api.scope import (
    CertificateDetail,
    CertificateList,
    CertificateProcedureDetail,
    CertificateStatusSet,
    HostProfileDetail,
    ProcedureTaskDone,
    ScopeDetail,
    SubcontractorDetail,
    SubcontractorList,
)

urlpatterns = [
    path("o/<slug:slug>/frameworks/", FrameworkList.as_view(), name="framework-list"),
    path(
        "o/<slug:slug>/frameworks/<int:pk>/requirements/",
        RequirementList.as_view(),
        name="requirement-list",
    ),
    path("o/<slug:slug>/scope/", ScopeDetail.as_view(), name="scope-detail"),
    path("o/<slug:slug>/scope/profile/", HostProfileDetail.as_view(), name="host-profile"),
    path("o/<slug:slug>/subcontractors/", SubcontractorList.as_view(), name="subcontractor-list"),
    path(
        "o/<slug:slug>/subcontractors/<int:pk>/",
        SubcontractorDetail.as_view(),
        name="subcontractor-detail",
    ),
    path("o/<slug:slug>/certificates/", CertificateList.as_view(), name="certificate-list"),
    path(
        "o/<slug:slug>/certificates/<int:pk>/",
        CertificateDetail.as_view(),
        name="certificate-detail",
    ),
    path("o/<slug:slug>/certified-hosts/", HostListDetail.as_view(), name="host-list"),
    path("o/<slug:slug>/certified-hosts/checks/", HostCheckList.as_view(), name="host-check-list"),
    path(
        "o/<slug:slug>/certificates/<int:pk>/status/",
        CertificateStatusSet.as_view(),
        name="certificate-status",
    ),
    path(
        "o/<slug:slug>/certificates/<int:pk>/procedure/",
        CertificateProcedureDetail.as_view(),
        name="certificate-procedure",
    ),
    path(
        "o/<slug:slug>/certificate-tasks/<int:pk>/done/",
        ProcedureTaskDone.as_view(),
        name="procedure-task-done",
    ),
    path("o/<slug:slug>/soa/", SoAList.as_view(), name="soa-list"),
    path("o/<slug:slug>/soa/<int:pk>/", SoADetail.as_view(), name="soa-detail"),
    path("o/<slug:slug>/readiness/", ReadinessList.as_view(), name="readiness-list"),
    path("o/<slug:slug>/readiness/<int:pk>/", ReadinessDetail.as_view(), name="readiness-detail"),
]

from django.urls import path

from audits.views import auditors, officer, reminders

app_name = "audits"

urlpatterns = [
    path("notifications/", reminders.notification_list, name="notification-list"),
    path("notifications/read/", reminders.notification_read, name="notification-read"),
    path("account/calendar/", reminders.calendar_token, name="calendar-token"),
    path("account/calendar/revoke/", reminders.calendar_revoke, name="calendar-revoke"),
    path("calendar/<str:token>.ics", reminders.calendar_feed, name="calendar-feed"),
    path(
        "o/<slug:slug>/audits/<int:pk>/auditors/invite/",
        auditors.auditor_invite_view,
        name="auditor-invite",
    ),
    path(
        "o/<slug:slug>/audits/<int:pk>/auditors/<int:access_pk>/revoke/",
        auditors.auditor_revoke_view,
        name="auditor-revoke",
    ),
    path("auditor-invitations/<str:token>/", auditors.auditor_accept, name="auditor-accept"),
    path("auditor/", auditors.auditor_home, name="auditor-home"),
    path("auditor/audits/<int:pk>/", auditors.auditor_audit, name="auditor-audit"),
    path("o/<slug:slug>/cycles/", officer.cycle_list, name="cycle-list"),
    path("o/<slug:slug>/cycles/<int:pk>/audits/", officer.audit_plan_view, name="audit-plan"),
    path("o/<slug:slug>/audits/<int:pk>/", officer.audit_detail, name="audit-detail"),
    path("o/<slug:slug>/audits/<int:pk>/stage1/", officer.audit_stage1, name="audit-stage1"),
    path(
        "o/<slug:slug>/audits/<int:pk>/stage1/submit/",
        officer.audit_stage1_submit,
        name="audit-stage1-submit",
    ),
    path(
        "o/<slug:slug>/audits/<int:pk>/stage1/complete/",
        officer.audit_stage1_complete,
        name="audit-stage1-complete",
    ),
    path("o/<slug:slug>/audits/<int:pk>/stage2/", officer.audit_stage2, name="audit-stage2"),
    path(
        "o/<slug:slug>/audits/<int:pk>/stage2/complete/",
        officer.audit_stage2_complete,
        name="audit-stage2-complete",
    ),
    path("o/<slug:slug>/audits/<int:pk>/decision/", officer.audit_decision, name="audit-decision"),
    path(
        "o/<slug:slug>/audits/<int:pk>/findings/", officer.finding_raise_view, name="finding-raise"
    ),
    path(
        "o/<slug:slug>/findings/<int:pk>/correction/",
        officer.finding_correction,
        name="finding-correction",
    ),
]

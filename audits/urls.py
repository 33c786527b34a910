from django.urls import path

from audits.views import auditors, home, officer, reminders, review

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
    path("o/<slug:slug>/audits/<int:pk>/cancel/", officer.audit_cancel_view, name="audit-cancel"),
    path("o/<slug:slug>/audits/<int:pk>/close/", officer.audit_close_view, name="audit-close"),
    path(
        "o/<slug:slug>/audits/<int:pk>/findings/", officer.finding_raise_view, name="finding-raise"
    ),
    path(
        "o/<slug:slug>/findings/<int:pk>/correction/",
        officer.finding_correction,
        name="finding-correction",
    ),
]

urlpatterns += [
    path("o/<slug:slug>/home/progress/", home.home_progress, name="home-progress"),
    path("o/<slug:slug>/home/certification/", home.home_certification, name="home-certification"),
]

urlpatterns += [
    path("auditor/audits/<int:pk>/review/", review.auditor_review, name="auditor-review"),
    path(
        "auditor/audits/<int:pk>/versions/<int:version_pk>/view/",
        review.auditor_version_view,
        name="auditor-version-view",
    ),
    path("auditor/audits/<int:pk>/reviews/", review.auditor_review_record, name="review-record"),
    path(
        "auditor/audits/<int:pk>/findings/",
        review.auditor_finding_raise,
        name="auditor-finding-raise",
    ),
    path(
        "auditor/audits/<int:pk>/findings/<int:finding_pk>/verify/",
        review.auditor_finding_verify,
        name="auditor-finding-verify",
    ),
    path("o/<slug:slug>/audits/<int:pk>/reviews/", review.audit_reviews, name="audit-reviews"),
    path("o/<slug:slug>/reviews/<int:pk>/answer/", review.review_answer_view, name="review-answer"),
]

from django.urls import path

from audits.views import auditors, delta, home, officer, programme, reminders, review

app_name = "audits"

urlpatterns = [
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
    path(
        "auditor/audits/<int:pk>/carried-over/<int:finding_pk>/check/",
        auditors.auditor_carryover_check,
        name="auditor-carryover-check",
    ),
    path("o/<slug:slug>/cycles/", officer.cycle_list, name="cycle-list"),
    path("o/<slug:slug>/cycles/<int:pk>/audits/", officer.audit_plan_view, name="audit-plan"),
    path("o/<slug:slug>/audits/<int:pk>/", officer.audit_detail, name="audit-detail"),
    path(
        "o/<slug:slug>/audits/<int:pk>/actions/<slug:action>/",
        officer.audit_action,
        name="audit-action",
    ),
    path(
        "o/<slug:slug>/audits/<int:pk>/evidence-versions/",
        officer.audit_evidence_search,
        name="audit-evidence-search",
    ),
    path(
        "o/<slug:slug>/audits/<int:pk>/carried-over/<int:finding_pk>/check/",
        officer.carryover_check_view,
        name="carryover-check",
    ),
    path(
        "o/<slug:slug>/findings/<int:pk>/actions/<slug:action>/",
        officer.finding_action,
        name="finding-action",
    ),
]

urlpatterns += [
    path("o/<slug:slug>/home/progress/", home.home_progress, name="home-progress"),
    path("o/<slug:slug>/home/certification/", home.home_certification, name="home-certification"),
    path("o/<slug:slug>/home/my-work/", home.home_my_work, name="home-my-work"),
]

urlpatterns += [
    path("auditor/audits/<int:pk>/review/", review.auditor_review, name="auditor-review"),
    path(
        "auditor/audits/<int:pk>/evidence-versions/",
        review.auditor_evidence_search,
        name="auditor-evidence-search",
    ),
    path(
        "auditor/audits/<int:pk>/versions/<int:version_pk>/view/",
        review.auditor_version_view,
        name="auditor-version-view",
    ),
    path(
        "auditor/audits/<int:pk>/actions/<slug:action>/",
        review.auditor_action,
        name="auditor-action",
    ),
    path(
        "auditor/audits/<int:pk>/findings/<int:finding_pk>/actions/<slug:action>/",
        review.auditor_finding_action,
        name="auditor-finding-action",
    ),
    path("o/<slug:slug>/audits/<int:pk>/reviews/", review.audit_reviews, name="audit-reviews"),
    path("o/<slug:slug>/reviews/<int:pk>/answer/", review.review_answer_view, name="review-answer"),
    path("o/<slug:slug>/evidence/<int:pk>/reviews/", review.item_reviews, name="item-reviews"),
]

urlpatterns += [
    path(
        "o/<slug:slug>/cycles/<int:pk>/programme/",
        programme.cycle_programme,
        name="cycle-programme",
    ),
    path(
        "o/<slug:slug>/cycles/<int:pk>/programme/propose/",
        programme.programme_propose_view,
        name="programme-propose",
    ),
    path(
        "o/<slug:slug>/cycles/<int:pk>/programme/body-plan/",
        programme.programme_body_plan_view,
        name="programme-body-plan",
    ),
    path(
        "o/<slug:slug>/cycles/<int:pk>/programme/requirements/<int:rpk>/",
        programme.programme_requirement,
        name="programme-requirement",
    ),
    path(
        "auditor/audits/<int:pk>/programme/", programme.auditor_programme, name="auditor-programme"
    ),
]

urlpatterns += [
    path("o/<slug:slug>/audits/<int:pk>/delta/", delta.audit_delta, name="audit-delta"),
    path("auditor/audits/<int:pk>/delta/", delta.auditor_delta, name="auditor-delta"),
]

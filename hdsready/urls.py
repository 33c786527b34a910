from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from hdsready.views import (
    auth,
    invitations,
    notifications,
    organisations,
    passkeys,
    sso,
    staff,
    tokens,
)

core_patterns = [
    path("", organisations.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("login/sso/", sso.sso_start, name="sso-start"),
    path("login/sso/callback/", sso.sso_callback, name="sso-callback"),
    path("mfa/verify/", auth.mfa_verify, name="mfa-verify"),
    path("mfa/enrol/", auth.mfa_enrol, name="mfa-enrol"),
    path("mfa/backup-codes/", auth.mfa_backup_codes, name="mfa-backup-codes"),
    path("mfa/passkey/", passkeys.mfa_passkey_verify, name="mfa-passkey-verify"),
    path("account/passkeys/", passkeys.passkey_list, name="passkey-list"),
    path("account/passkeys/enrol/", passkeys.passkey_register_view, name="passkey-register"),
    path("account/passkeys/<int:pk>/rename/", passkeys.passkey_rename_view, name="passkey-rename"),
    path("account/passkeys/<int:pk>/remove/", passkeys.passkey_remove_view, name="passkey-remove"),
    path("language/", auth.language_set, name="language-set"),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation-accept"),
    path("o/<slug:slug>/", organisations.organisation_home, name="organisation-home"),
    path("o/<slug:slug>/members/", organisations.member_list, name="member-list"),
    path("o/<slug:slug>/members/invite/", organisations.member_invite, name="member-invite"),
    path("o/<slug:slug>/members/<int:pk>/role/", organisations.member_role, name="member-role"),
    path(
        "o/<slug:slug>/members/<int:pk>/remove/", organisations.member_remove, name="member-remove"
    ),
    path(
        "o/<slug:slug>/members/<int:pk>/mfa-reset/",
        organisations.member_mfa_reset,
        name="member-mfa-reset",
    ),
    path(
        "o/<slug:slug>/invitations/<int:pk>/revoke/",
        organisations.invitation_revoke_view,
        name="invitation-revoke",
    ),
    path("o/<slug:slug>/sso/", sso.identity_provider_edit, name="identity-provider-edit"),
    path("o/<slug:slug>/trail/", organisations.trail_list, name="trail-list"),
    path(
        "o/<slug:slug>/passkey-policy/",
        passkeys.organisation_passkey_policy,
        name="organisation-passkey-policy",
    ),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/read/", notifications.notification_read, name="notification-read"),
    path("account/tokens/", tokens.token_list, name="token-list"),
    path("staff/organisations/open/", staff.organisation_open_view, name="organisation-open"),
    path("account/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
]

api_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # A page for people: GET only (DRF's OPTIONS answer has no template to render it with);
    # the split view serves its script as a file, as the Content-Security-Policy requires. Swagger
    # UI sets inline styles from its script: on this page only, styles may be inline.
    path(
        "docs/",
        csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]})(  # type: ignore[dict-item]
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", http_method_names=["get", "head"]
            )
        ),
        name="docs",
    ),
    path("", include("hdsready.api")),
    path("", include("scopes.api")),
    path("", include("evidence.api")),
    path("", include("contracts.api")),
    path("", include("sovereignty.api")),
    path("", include("guarantees.api")),
    path("", include("audits.api")),
    path("", include("audits.api_programme")),
    path("", include("dossiers.api")),
]

handler404 = "hdsready.api_edge.not_found"

urlpatterns = [
    path("", include((core_patterns, "hdsready"))),
    path("", include("scopes.urls")),
    path("", include("evidence.urls")),
    path("", include("contracts.urls")),
    path("", include("sovereignty.urls")),
    path("", include("guarantees.urls")),
    path("", include("audits.urls")),
    path("", include("dossiers.urls")),
    path("", include("accessreviews.urls")),
    path("api/", include((api_patterns, "api"))),
    path("admin/", admin.site.urls),
]

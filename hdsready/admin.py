from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from hdsready.models import Invitation, Membership, Organisation, TrailEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "date_joined")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "language")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ("is_active", "is_staff")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """No "add" here: an organisation made by a bare form would have no officer and no
    permissions. The change list links to the staff page, which goes through organisation_open."""

    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    change_list_template = "admin/hdsready/organisation/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Memberships and invitations change through services (permissions, trail), not here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "organisation", "role", "status", "expires_at")
    list_filter = ("status",)
    exclude = ("token_hash",)


@admin.register(TrailEvent)
class TrailEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "actor_label", "organisation", "kind", "object_repr")
    list_filter = ("kind",)
    search_fields = ("actor_label", "kind", "object_repr")

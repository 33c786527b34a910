"""The ANS list of certified hosts (read only): the current list's import and each
subcontractor's check against it. The import itself is a page (a file and a column mapping)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from scopes.api.base import ScopesAPIView
from scopes.certified_hosts import SubcontractorFacts, Verdict, explanation
from scopes.selectors import host_checks_of, host_list_current


class HostListSerializer(serializers.Serializer):
    imported_at = serializers.DateTimeField()
    imported_by = serializers.EmailField(source="imported_by.email", allow_null=True, default=None)
    filename = serializers.CharField()
    row_count = serializers.IntegerField()
    sha256 = serializers.CharField()


class HostListCurrentSerializer(serializers.Serializer):
    current = HostListSerializer(
        allow_null=True, help_text=_("The latest import, null when no list was imported.")
    )


class ListedHostSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("The row of the imported file."))
    name = serializers.CharField()
    siren = serializers.CharField()
    certificate_number = serializers.CharField()
    activities = serializers.ListField(child=serializers.IntegerField(), source="activity_list")
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    certification_body = serializers.CharField()


class HostCheckSerializer(serializers.Serializer):
    subcontractor = serializers.IntegerField()
    name = serializers.CharField()
    siren = serializers.CharField()
    verdict = serializers.ChoiceField(choices=[(v.value, v.value) for v in Verdict])
    explanation = serializers.CharField()
    matched_by = serializers.CharField(help_text=_('"siren", "name", or "" when not listed.'))
    missing_activities = serializers.ListField(child=serializers.IntegerField())
    listed = ListedHostSerializer(many=True)


class HostListDetail(ScopesAPIView):
    """The current list of certified hosts: when, by whom and from which file it was imported."""

    serializer_class = HostListCurrentSerializer

    def get(self, request: Request, slug: str) -> Response:
        host_list = host_list_current(organisation=self.organisation())
        return Response(HostListCurrentSerializer({"current": host_list}).data)


class HostCheckList(ScopesAPIView):
    """Each subcontractor checked against the current list today (empty when no list)."""

    serializer_class = HostCheckSerializer

    @extend_schema(responses=HostCheckSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        today = timezone.localdate()
        _list, checks = host_checks_of(organisation=self.organisation(), on=today)
        lines: list[dict[str, Any]] = []
        for subcontractor, check in checks:
            facts = SubcontractorFacts(
                name=subcontractor.name, siren=subcontractor.siren, activities=frozenset()
            )
            lines.append(
                {
                    "subcontractor": subcontractor.pk,
                    "name": subcontractor.name,
                    "siren": subcontractor.siren,
                    "verdict": check.verdict.value,
                    "explanation": explanation(check, facts, on=today),
                    "matched_by": check.matched_by,
                    "missing_activities": check.missing_sorted,
                    "listed": list(check.entries),
                }
            )
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(HostCheckSerializer(page, many=True).data)

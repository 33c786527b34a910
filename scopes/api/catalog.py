"""The catalog, read only: built-in frameworks, the imported ones, their requirements."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from scopes.api.base import ScopesAPIView
from scopes.models import Framework, Requirement
from scopes.selectors import catalog_of, framework_get


class FrameworkSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = Framework
        fields = ("id", "code", "version", "urn", "name", "description", "provider", "source")
        read_only_fields = fields


class RequirementSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = Requirement
        fields = (
            "id",
            "urn",
            "ref_id",
            "parent",
            "depth",
            "order",
            "assessable",
            "applies_when",
            "name",
            "description",
        )
        read_only_fields = fields


class FrameworkList(ScopesAPIView):
    """The built-in frameworks and the ones the organisation imported."""

    serializer_class = FrameworkSerializer

    @extend_schema(responses=FrameworkSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(catalog_of(organisation=self.organisation()))
        return self.get_paginated_response(FrameworkSerializer(page, many=True).data)


class RequirementList(ScopesAPIView):
    """Every node of a framework in its order: groups (assessable false) and requirements."""

    serializer_class = RequirementSerializer

    @extend_schema(responses=RequirementSerializer(many=True))
    def get(self, request: Request, slug: str, pk: int) -> Response:
        framework = framework_get(organisation=self.organisation(), pk=pk)
        page = self.paginate_queryset(framework.nodes.order_by("order"))
        return self.get_paginated_response(RequirementSerializer(page, many=True).data)

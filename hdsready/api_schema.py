"""The OpenAPI schema's view of every endpoint at once: the error answers each may give (named in
settings; kept apart from hdsready/api_edge.py, which DRF's settings import while drf-spectacular
imports DRF's settings)."""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

Direction = Literal["request", "response"]


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("Why the request was not served."))


class InvalidInputSerializer(serializers.Serializer):
    """A refused change says why in `detail`; input that does not validate gives the messages
    by field name (nested as the input is), or under `non_field_errors`."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class ErrorsAutoSchema(AutoSchema):
    """Documents the errors every endpoint may answer, not only its success: 401 without a valid
    token, 403 for a session without the second factor or a role without the right, 404 for an
    object (or a page) that is not there or not yours, 400 for input refused."""

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors: dict[str, OpenApiResponse] = {
            "401": OpenApiResponse(ErrorSerializer, description=_("No valid token.")),
            "403": OpenApiResponse(ErrorSerializer, description=_("Not allowed to you.")),
        }
        if "{" in self.path or self._get_paginator() is not None:
            errors["404"] = OpenApiResponse(ErrorSerializer, description=_("Not found."))
        if self.method != "GET" or self.get_override_parameters():
            errors["400"] = OpenApiResponse(
                InvalidInputSerializer, description=_("The input was refused.")
            )
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

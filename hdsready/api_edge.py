"""What the REST API accepts at its edge, for every endpoint at once (named in settings, so this
module imports nothing of ours that would import the API views back)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.metadata import SimpleMetadata
from rest_framework.parsers import JSONParser


def _holds_nul(data: object) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_holds_nul(key) or _holds_nul(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_holds_nul(value) for value in data)
    return False


class TextJSONParser(JSONParser):
    """JSON whose strings hold no NUL character: PostgreSQL cannot store one in a text column,
    so it is refused here, at the edge, for every endpoint at once (400), not as a 500 later."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if _holds_nul(data):
            raise ParseError(_("Text may not contain the NUL character."))
        return data


class DescriptionMetadata(SimpleMetadata):
    """OPTIONS tells the endpoint's name, description and formats; the fields it accepts are in
    the OpenAPI schema (/api/schema/). DRF's default would describe them by loading the object
    through a queryset our service-based views do not have (a 500)."""

    def determine_actions(self, request: Any, view: Any) -> dict[str, Any]:
        return {}


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 handler: a path under /api/ that no route matches (an id that is not a
    number, say) answers in JSON like the API's own 404s; a page, with the 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)

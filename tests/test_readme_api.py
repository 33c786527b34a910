"""The README's API section lists every API route, with the methods the schema gives it.

The routes come from the URL configuration and the methods from drf-spectacular's schema, so a
new endpoint (or a new method on one) fails here until the README says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

README = Path(__file__).resolve().parents[1] / "README.md"
METHODS = {"get", "post", "put", "patch", "delete"}
ROW = re.compile(r"^\| ([A-Z ]+) \| `([^`]+)` \|", re.MULTILINE)


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            routes.append(prefix + str(pattern.pattern))
    return routes


def _as_written(route: str) -> str:
    """`api/o/<slug:slug>/audits/<int:pk>/` as the README and the schema write it:
    `o/{slug}/audits/{id}/` (drf-spectacular names a `pk` parameter `id`)."""
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.removeprefix("api/"))
    return route.replace("{pk}", "{id}")


def _readme_api_rows() -> dict[str, set[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## REST API\n", 1)[1].split("\n## ", 1)[0]
    return {path: set(methods.lower().split()) for methods, path in ROW.findall(section)}


def _api_routes() -> set[str]:
    return {_as_written(r) for r in _routes(get_resolver().url_patterns) if r.startswith("api/")}


def test_every_api_route_is_in_the_readme() -> None:
    rows = _readme_api_rows()
    routes = _api_routes()
    assert len(routes) > 40  # the URL configuration was read
    assert sorted(routes - rows.keys()) == [], "API routes missing from the README"
    assert sorted(rows.keys() - routes) == [], "README rows that are no API route"


def test_the_readme_gives_each_route_the_schema_methods() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    rows = _readme_api_rows()
    for path, operations in schema["paths"].items():
        written = path.removeprefix("/api/")
        assert rows.get(written) == METHODS & operations.keys(), written

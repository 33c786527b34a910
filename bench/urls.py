"""The product's URLs plus the page bench's baseline: served only by bench/pages.py
(ROOT_URLCONF=bench.urls in its gunicorn), never by the product's own URL configuration.

The baseline is a bare Django page that reads and renders 50 rows, through the same middleware
(session, login, second factor) as every page: what any page costs at least on this machine.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from evidence.models import EvidenceItem
from hdsready.urls import urlpatterns as product_urlpatterns

BASELINE_ROWS = 50
BASELINE_PATH = "bench/baseline/"
_template = engines["django"].from_string(
    """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Baseline</title></head>
<body><table><thead><tr><th>#</th><th>Titre</th><th>Statut</th><th>Revue</th><th>Créée</th></tr>
</thead><tbody>{% for row in rows %}<tr><td>{{ row.pk }}</td><td>{{ row.title }}</td>
<td>{{ row.get_status_display }}</td><td>{{ row.review_due_on|date:"d/m/Y" }}</td>
<td>{{ row.created_at|date:"d/m/Y H:i" }}</td></tr>{% endfor %}</tbody></table></body></html>"""
)


def baseline(request: HttpRequest) -> HttpResponse:
    rows = EvidenceItem.objects.order_by("-pk").only(
        "pk", "title", "status", "review_due_on", "created_at"
    )[:BASELINE_ROWS]
    return HttpResponse(_template.render({"rows": rows}))


urlpatterns = [path(BASELINE_PATH, baseline, name="bench-baseline"), *product_urlpatterns]

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from scopes.catalog import hds_v2, iso27001_2022
from scopes.catalog.loader import load_catalog
from scopes.models import Framework, Requirement


class Command(BaseCommand):
    help = "Load or refresh the built-in catalogs (HDS v2, ISO/IEC 27001:2022). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for module in (hds_v2, iso27001_2022):
                framework = load_catalog(
                    framework_model=Framework,
                    requirement_model=Requirement,
                    framework=module.FRAMEWORK,
                    nodes=module.NODES,
                )
                count = Requirement.objects.filter(framework=framework, assessable=True).count()
                self.stdout.write(f"{framework.name_en}: {count} assessable requirements")

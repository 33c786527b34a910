"""The framework importer: the parser (pure), the service (one transaction, idempotent, versioned)
and the import_framework command.

The two real libraries are third-party data (AGPL) kept outside the repository and read here as
test input only: /work/shared/reference, or HDSREADY_REFERENCE_DIR.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from hdsready.models import TrailEvent
from scopes import importer
from scopes.importer import MAX_LIBRARY_BYTES, ImportRefused, parse_library
from scopes.models import Framework, FrameworkSource, Requirement
from scopes.services.catalog import framework_import

REFERENCE_DIR = Path(os.environ.get("HDSREADY_REFERENCE_DIR", "/work/shared/reference"))
EXI_IDS = [f"[EXI {n:02}]" for n in range(1, 32)]


def reference(name: str) -> bytes:
    return (REFERENCE_DIR / name).read_bytes()


@pytest.fixture(scope="module")
def hds_raw() -> bytes:
    return reference("hds-v2.yaml")


@pytest.fixture(scope="module")
def iso_raw() -> bytes:
    return reference("iso27001-2022.yaml")


def library_dict(*, nodes: int = 10, version: int = 1, slug: str = "demo") -> dict[str, Any]:
    """A small library of our own: every fifth node a chapter, the others under it, and the
    fourth of each five one level deeper."""
    items: list[dict[str, Any]] = []
    chapter = previous = ""
    for number in range(nodes):
        urn = f"urn:test:req_node:{slug}:{number}"
        item: dict[str, Any] = {
            "urn": urn,
            "assessable": number % 5 != 0,
            "ref_id": f"R{number}",
            "name": f"Requirement {number}",
            "description": f"What requirement {number} asks.",
            "translations": {"fr": {"name": f"Exigence {number}"}},
        }
        if number % 5 == 0:
            item["depth"] = 1
            chapter = urn
        elif number % 5 == 4:
            item |= {"depth": 3, "parent_urn": previous}
        else:
            item |= {"depth": 2, "parent_urn": chapter}
        items.append(item)
        previous = urn
    return {
        "urn": f"urn:test:library:{slug}",
        "locale": "en",
        "ref_id": f"TEST-{slug}",
        "name": f"Test framework {slug}",
        "description": "A framework for the tests.",
        "version": version,
        "publication_date": "2026-01-31",
        "provider": "hdsready tests",
        "translations": {"fr": {"name": f"Référentiel de test {slug}"}},
        "objects": {
            "framework": {
                "urn": f"urn:test:framework:{slug}",
                "ref_id": f"TEST-{slug}",
                "name": f"Test framework {slug}",
                "requirement_nodes": items,
            }
        },
    }


def to_yaml(data: dict[str, Any]) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def library_bytes(**kwargs: Any) -> bytes:
    return to_yaml(library_dict(**kwargs))


def with_nodes(nodes: Any) -> bytes:
    data = library_dict(nodes=1)
    data["objects"]["framework"]["requirement_nodes"] = nodes
    return to_yaml(data)


BILLION_LAUGHS = b"""\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

NODE = {"urn": "urn:x:1", "depth": 1, "assessable": True}

# (id, file, what the refusal says): each one must be refused with nothing created.
HOSTILE = [
    ("bad-yaml", b"urn: x\nobjects: [unclosed\n  framework: {\n", "not valid YAML (line"),
    ("not-utf8", "urn: référentiel\n".encode("latin-1"), "not UTF-8"),
    ("too-large", b"#" * (MAX_LIBRARY_BYTES + 1), "larger than 5 MB"),
    (
        "python-object",
        b"!!python/object/apply:os.system ['touch /tmp/hdsready-pwned']\n",
        "tags (tag:yaml.org,2002:python/object/apply:os.system)",
    ),
    (
        "python-object-inside",
        library_bytes().replace(b"version: 1", b"version: !!python/object/new:int [3]"),
        "YAML tags",
    ),
    ("custom-tag", library_bytes().replace(b"locale: en", b"locale: !lang en"), "tags (!lang)"),
    ("billion-laughs", BILLION_LAUGHS, "anchors and aliases"),
    (
        "alias-in-library",
        library_bytes().replace(b"provider: hdsready tests", b"provider: &p hdsready tests"),
        "anchors and aliases",
    ),
    ("deep-nesting", b"[" * 200 + b"]" * 200, "nested too deeply"),
    ("huge-number", b"version: " + b"9" * 5000 + b"\n", "value that cannot be read"),
    ("not-a-mapping", b"- just\n- a list\n", "not a framework library"),
    ("no-framework", b"urn: x\nlocale: en\nobjects: {}\n", "has no objects.framework"),
    ("nodes-not-a-list", with_nodes("nope"), "requirement_nodes must be a list"),
    ("no-nodes", with_nodes([]), "has no requirement nodes"),
    ("node-not-a-mapping", with_nodes(["urn:x:1"]), "requirement_nodes[0] must be a mapping"),
    ("node-without-urn", with_nodes([{"ref_id": "A", "depth": 1}]), "requirement_nodes[0].urn"),
    ("duplicate-urn", with_nodes([NODE, dict(NODE)]), "URN is used by an earlier node"),
    (
        "unknown-parent",
        with_nodes([NODE, {"urn": "urn:x:2", "depth": 2, "parent_urn": "urn:x:9"}]),
        "parent urn:x:9 is not an earlier node",
    ),
    (
        "parent-after-child",
        with_nodes([{"urn": "urn:x:2", "depth": 2, "parent_urn": "urn:x:1"}, NODE]),
        "parent urn:x:1 is not an earlier node",
    ),
    (
        "wrong-depth",
        with_nodes([NODE, {"urn": "urn:x:2", "depth": 3, "parent_urn": "urn:x:1"}]),
        "depth 3 does not match",
    ),
    ("ref-id-too-long", with_nodes([NODE | {"ref_id": "R" * 61}]), "longer than 60 characters"),
    ("urn-not-text", with_nodes([NODE | {"urn": ["a", "b"]}]), "urn must be text"),
    ("assessable-not-bool", with_nodes([NODE | {"assessable": "maybe"}]), "true or false"),
    (
        "name-too-long",
        library_bytes().replace(b"  name: Test framework demo", b"  name: " + b"N" * 300),
        "objects.framework.name is longer than 255 characters",
    ),
    (
        "version-not-integer",
        library_bytes().replace(b"version: 1", b"version: '2.1'"),
        "version must be a whole number",
    ),
    (
        "version-float",
        library_bytes().replace(b"version: 1", b"version: 2.5"),
        "version must be a whole number",
    ),
    ("no-locale", library_bytes().replace(b"locale: en\n", b""), "locale is missing"),
    (
        "bad-date",
        library_bytes().replace(b"2026-01-31", b"last spring"),
        "publication_date must be a date",
    ),
]


@pytest.mark.usefixtures("english")
class TestParse:
    def test_hds_reference(self, hds_raw):
        library = parse_library(hds_raw)
        assert (library.locale, library.version, library.published) == ("fr", 2, date(2025, 5, 10))
        assert library.framework_urn == "urn:intuitem:risk:framework:hds-v2023-a"
        assert library.name_fr == "HDS v2.0"
        assert library.provider == "Agence du Numérique en Santé"
        assert [n.ref_id for n in library.nodes if n.depth == 1] == EXI_IDS
        assert library.assessable_count == 71
        first_item = library.nodes[1]
        assert first_item.parent_urn == library.nodes[0].urn
        assert first_item.description_fr.startswith("Qu\u2019il ait mis en \u0153uvre")
        assert first_item.description_en == ""

    def test_iso_reference_takes_french_from_translations(self, iso_raw):
        library = parse_library(iso_raw)
        assert library.assessable_count == 123
        assert library.name_en == "International standard ISO/IEC 27001:2022"
        assert library.name_fr == "Norme internationale ISO/IEC 27001:2022"
        clause = next(n for n in library.nodes if n.ref_id == "4.2")
        assert clause.name_en.startswith("Understanding the needs")
        assert clause.name_fr.startswith("Compréhension des besoins")
        assert max(n.depth for n in library.nodes) == 4

    def test_order_depth_and_names_of_a_generated_library(self):
        library = parse_library(library_bytes(nodes=10))
        assert [n.order for n in library.nodes] == list(range(10))
        assert [n.depth for n in library.nodes[:5]] == [1, 2, 2, 2, 3]
        assert library.nodes[4].parent_urn == library.nodes[3].urn
        assert (library.nodes[2].name_fr, library.nodes[2].name_en) == (
            "Exigence 2",
            "Requirement 2",
        )
        # The framework's own name in the main locale; French from the library's translations.
        assert (library.name_en, library.name_fr) == (
            "Test framework demo",
            "Référentiel de test demo",
        )
        assert library.published == date(2026, 1, 31)

    def test_a_third_language_is_kept_only_when_there_is_no_french_nor_english(self):
        data = library_dict(nodes=2)
        data["locale"] = "de"
        del data["translations"]
        data["objects"]["framework"]["name"] = "Rahmenwerk"
        del data["objects"]["framework"]["requirement_nodes"][1]["translations"]
        library = parse_library(to_yaml(data))
        assert (library.name_fr, library.name_en) == ("", "Rahmenwerk")
        translated, untranslated = library.nodes
        assert (translated.name_fr, translated.name_en) == ("Exigence 0", "")
        assert (untranslated.name_fr, untranslated.name_en) == ("", "Requirement 1")

    @pytest.mark.parametrize(
        "loader",
        # libyaml's reader when PyYAML has it, and the pure-Python one it falls back on.
        [importer.LOADER, importer._PlainDataLoader],
        ids=["default", "pure-python"],
    )
    @pytest.mark.parametrize(("raw", "says"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
    def test_hostile_files_are_refused(self, monkeypatch, loader, raw, says):
        monkeypatch.setattr(importer, "LOADER", loader)
        with pytest.raises(ImportRefused) as refused:
            parse_library(raw)
        assert says in str(refused.value)

    def test_both_loaders_read_the_references_alike(self, monkeypatch, hds_raw, iso_raw):
        default = (parse_library(hds_raw), parse_library(iso_raw))
        monkeypatch.setattr(importer, "LOADER", importer._PlainDataLoader)
        assert (parse_library(hds_raw), parse_library(iso_raw)) == default

    def test_too_many_nodes(self, monkeypatch):
        monkeypatch.setattr(importer, "MAX_NODES", 9)
        with pytest.raises(ImportRefused, match="more than 9 requirement nodes"):
            parse_library(library_bytes(nodes=10))

    def test_no_file_is_ever_turned_into_an_object(self, tmp_path):
        marker = tmp_path / "pwned"
        raw = f"!!python/object/apply:os.system ['touch {marker}']\n".encode()
        with pytest.raises(ImportRefused):
            parse_library(raw)
        assert not marker.exists()


def row_counts() -> tuple[int, int, int]:
    return Framework.objects.count(), Requirement.objects.count(), TrailEvent.objects.count()


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
class TestFrameworkImport:
    def test_hds_reference(self, organisation, officer, hds_raw):
        result = framework_import(organisation=organisation, raw=hds_raw, actor=officer)
        assert (result.created, result.nodes, result.assessable) == (True, 82, 71)
        framework = result.framework
        assert framework.organisation == organisation
        assert framework.source == FrameworkSource.IMPORTED
        assert (framework.urn, framework.version) == (
            "urn:intuitem:risk:framework:hds-v2023-a",
            "2",
        )
        assert framework.code == "hds-v20"
        assert framework.content_hash == hashlib.sha256(hds_raw).hexdigest()
        assert framework.imported_by == officer
        assert framework.imported_at is not None
        assert framework.published == date(2025, 5, 10)
        nodes = Requirement.objects.filter(framework=framework)
        assert nodes.count() == 82
        assert nodes.filter(assessable=True).count() == 71
        chapters = nodes.filter(depth=1, parent__isnull=True).order_by("order")
        assert list(chapters.values_list("ref_id", flat=True)) == EXI_IDS
        deepest = nodes.filter(depth=3).select_related("parent__parent").first()
        assert deepest is not None
        assert deepest.parent is not None
        chapter = deepest.parent.parent
        assert chapter is not None
        assert chapter.depth == 1
        assert deepest.group == chapter.ref_id
        assert list(nodes.order_by("order").values_list("order", flat=True)) == list(range(82))
        event = TrailEvent.objects.get(kind="framework.imported")
        assert (event.actor, event.organisation, event.object_id) == (
            officer,
            organisation,
            str(framework.pk),
        )
        assert event.data["nodes"] == 82

    def test_iso_reference(self, organisation, officer, iso_raw):
        result = framework_import(organisation=organisation, raw=iso_raw, actor=officer)
        assert (result.nodes, result.assessable) == (140, 123)
        nodes = Requirement.objects.filter(framework=result.framework)
        assert nodes.filter(assessable=True).count() == 123
        control = nodes.get(ref_id="A.5.1")
        assert control.group == "annex-a"
        assert control.name_fr.startswith("Politiques de s")
        assert control.name_en == "Policies for information security"
        assert nodes.filter(depth=4).count() == 11

    def test_reimport_changes_nothing(self, organisation, officer, hds_raw):
        first = framework_import(organisation=organisation, raw=hds_raw, actor=officer)
        before = row_counts()
        again = framework_import(organisation=organisation, raw=hds_raw, actor=officer)
        assert again.created is False
        assert again.framework == first.framework
        assert (again.nodes, again.assessable) == (82, 71)
        assert row_counts() == before

    def test_new_version_is_imported_beside_the_old_one(self, organisation, officer, hds_raw):
        old = framework_import(organisation=organisation, raw=hds_raw, actor=officer).framework
        bumped = hds_raw.replace(b"\nversion: 2\n", b"\nversion: 3\n", 1).replace(
            b"HDS v2.0", b"HDS v2.0 (revised)", 1
        )
        new = framework_import(organisation=organisation, raw=bumped, actor=officer).framework
        assert new.pk != old.pk
        assert (old.urn, old.version, new.urn, new.version) == (old.urn, "2", old.urn, "3")
        assert Requirement.objects.filter(framework=old).count() == 82
        assert Requirement.objects.filter(framework=new).count() == 82
        assert TrailEvent.objects.filter(kind="framework.imported").count() == 2

    def test_same_version_different_content_is_refused(self, organisation, officer, hds_raw):
        framework_import(organisation=organisation, raw=hds_raw, actor=officer)
        before = row_counts()
        changed = hds_raw.replace(b"HDS v2.0", b"HDS v2.0 (edited)", 1)
        with pytest.raises(ImportRefused, match="higher version number"):
            framework_import(organisation=organisation, raw=changed, actor=officer)
        assert row_counts() == before

    def test_each_organisation_has_its_own_copy(self, organisation, officer, outsider, hds_raw):
        other = outsider.memberships.get().organisation
        mine = framework_import(organisation=organisation, raw=hds_raw, actor=officer)
        theirs = framework_import(organisation=other, raw=hds_raw, actor=outsider)
        assert theirs.created is True
        assert mine.framework.pk != theirs.framework.pk
        assert theirs.framework.organisation == other

    @pytest.mark.parametrize(("raw", "says"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
    def test_hostile_files_create_nothing(self, organisation, officer, raw, says):
        before = row_counts()
        with pytest.raises(ImportRefused) as refused:
            framework_import(organisation=organisation, raw=raw, actor=officer)
        assert says in str(refused.value)
        assert row_counts() == before

    def test_a_failure_midway_leaves_nothing_half_imported(
        self, organisation, officer, monkeypatch
    ):
        def trail_down(**kwargs: Any) -> None:
            raise RuntimeError("trail unavailable")

        monkeypatch.setattr("scopes.services.catalog.trail_record", trail_down)
        before = row_counts()
        with pytest.raises(RuntimeError):
            framework_import(organisation=organisation, raw=library_bytes(), actor=officer)
        assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
class TestImportCommand:
    def run(self, *args: str) -> str:
        out = StringIO()
        call_command("import_framework", *args, stdout=out)
        return out.getvalue()

    def test_imports_then_says_unchanged(self, organisation, officer):
        path = REFERENCE_DIR / "hds-v2.yaml"
        args = (str(path), "--organisation", organisation.slug, "--actor", officer.email)
        assert "82 nodes, 71 assessable" in self.run(*args)
        before = row_counts()
        assert "already imported" in self.run(*args)
        assert row_counts() == before
        assert Framework.objects.get(organisation=organisation).imported_by == officer

    def test_refused_file_is_a_clean_error(self, organisation, officer, tmp_path):
        path = tmp_path / "laughs.yaml"
        path.write_bytes(BILLION_LAUGHS)
        before = row_counts()
        with pytest.raises(CommandError, match="anchors and aliases"):
            self.run(str(path), "--organisation", organisation.slug, "--actor", officer.email)
        assert row_counts() == before

    def test_oversized_file_is_refused(self, organisation, officer, tmp_path):
        path = tmp_path / "big.yaml"
        path.write_bytes(b"#" * (MAX_LIBRARY_BYTES + 10))
        with pytest.raises(CommandError, match="larger than 5 MB"):
            self.run(str(path), "--organisation", organisation.slug, "--actor", officer.email)

    def test_unknown_organisation_or_file(self, organisation, officer, tmp_path):
        with pytest.raises(CommandError, match="No organisation"):
            self.run(str(tmp_path / "x.yaml"), "--organisation", "nope", "--actor", officer.email)
        with pytest.raises(CommandError, match="Cannot read"):
            self.run(
                str(tmp_path / "x.yaml"),
                "--organisation",
                organisation.slug,
                "--actor",
                officer.email,
            )

    def test_actor_must_be_an_officer_of_the_organisation(
        self, organisation, contributor, outsider
    ):
        path = str(REFERENCE_DIR / "hds-v2.yaml")
        for actor in (contributor.email, outsider.email, "nobody@example.org"):
            with pytest.raises(CommandError, match="is not an officer"):
                self.run(path, "--organisation", organisation.slug, "--actor", actor)
        assert not Framework.objects.filter(organisation__isnull=False).exists()

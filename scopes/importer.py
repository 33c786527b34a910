"""Read a framework library file into plain data, refusing anything hostile or malformed before
the database is touched. No ORM here: `scopes.services.catalog.framework_import` stores the result.

The format is the open YAML "library" of CISO Assistant: a library (urn, locale, ref_id,
version, provider, translations) holding `objects.framework` and its flat list of
`requirement_nodes`, each pointing at its parent by URN. A file comes from outside, so it is
read with a loader that builds nothing but plain mappings, lists, strings, numbers and dates,
and refuses tags, anchors and aliases (no object construction, no "billion laughs").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

import yaml
from django.utils.translation import gettext as _
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from scopes.services import ScopeError

# Checked on the bytes before parsing.
MAX_LIBRARY_BYTES = 5 * 1024 * 1024
MAX_NODES = 5000
# Real frameworks are 3 or 4 levels deep; the catalog page renders the tree recursively.
MAX_TREE_DEPTH = 12
# YAML nesting (mappings in lists in mappings...): the reader composes nodes recursively.
MAX_YAML_NESTING = 64
MAX_VERSION = 2_147_483_647
# Column sizes of Framework and Requirement.
MAX_URN_CHARS = 255
MAX_REF_ID_CHARS = 60
MAX_NAME_CHARS = 255
MAX_TEXT_CHARS = 20_000

LANGUAGES = ("fr", "en")


class ImportRefused(ScopeError):
    """A library file the importer will not take; the message tells the user why."""


@dataclass(frozen=True)
class ParsedNode:
    urn: str
    ref_id: str
    parent_urn: str | None
    depth: int
    order: int
    assessable: bool
    name_fr: str
    name_en: str
    description_fr: str
    description_en: str


@dataclass(frozen=True)
class ParsedLibrary:
    urn: str
    ref_id: str
    version: int
    locale: str
    provider: str
    published: date | None
    framework_urn: str
    framework_ref_id: str
    name_fr: str
    name_en: str
    description_fr: str
    description_en: str
    nodes: tuple[ParsedNode, ...]

    @property
    def assessable_count(self) -> int:
        return sum(1 for node in self.nodes if node.assessable)


class _PlainDataComposer(Composer):
    """Composes the document like PyYAML's SafeLoader, but refuses every explicit tag
    (`!!python/object`, `!custom`, even `!!str`) and every anchor and alias, and limits nesting:
    only plain mappings, lists, strings, numbers, booleans and dates can come out."""

    nesting = 0

    if TYPE_CHECKING:  # from the parser the loader mixes in (pure-Python or libyaml)

        def peek_event(self) -> yaml.Event: ...

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ImportRefused(
                _("Line %(line)s: YAML anchors and aliases are not accepted.") % {"line": line}
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise ImportRefused(
                _("Line %(line)s: YAML tags (%(tag)s) are not accepted.")
                % {"line": line, "tag": tag}
            )
        self.nesting += 1
        try:
            if self.nesting > MAX_YAML_NESTING:
                raise ImportRefused(
                    _("Line %(line)s: the file is nested too deeply.") % {"line": line}
                )
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1


class _PlainDataLoader(_PlainDataComposer, yaml.SafeLoader):
    """yaml.SafeLoader with the checks above: the pure-Python reader."""


class _Loader(Protocol):
    def get_single_data(self) -> Any: ...

    def dispose(self) -> None: ...


LOADER: Callable[[str], _Loader] = _PlainDataLoader

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastPlainDataLoader(_PlainDataComposer, CParser, SafeConstructor, Resolver):
        """The same loader reading with libyaml, as yaml.CSafeLoader does, but composing in
        Python so the checks above still run: about 20 times faster on a large file (a 5 MB
        library in about 1 s instead of 20)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    LOADER = _FastPlainDataLoader


def parse_library(raw: bytes) -> ParsedLibrary:
    """The library in `raw`, or ImportRefused saying what is wrong with the file."""
    document = _load_yaml(raw)
    library = _mapping(document, "")
    framework = _mapping(_nested(library, "objects", "framework"), "objects.framework")
    locale = _text(library, "locale", path="locale", limit=20, required=True)
    language = _language(locale)
    # The framework's texts, and the library's where the framework has none in a language.
    names = _first_of(
        _localised(framework, "name", language, "objects.framework", MAX_NAME_CHARS),
        _localised(library, "name", language, "", MAX_NAME_CHARS),
    )
    if not any(names):
        raise ImportRefused(_("%(path)s is missing.") % {"path": "objects.framework.name"})
    descriptions = _first_of(
        _localised(framework, "description", language, "objects.framework", MAX_TEXT_CHARS),
        _localised(library, "description", language, "", MAX_TEXT_CHARS),
    )
    return ParsedLibrary(
        urn=_text(library, "urn", path="urn", limit=MAX_URN_CHARS, required=True),
        ref_id=_text(library, "ref_id", path="ref_id", limit=MAX_NAME_CHARS, required=True),
        version=_version(library.get("version")),
        locale=locale,
        provider=_text(library, "provider", path="provider", limit=MAX_NAME_CHARS),
        published=_date(library.get("publication_date"), "publication_date"),
        framework_urn=_text(
            framework, "urn", path="objects.framework.urn", limit=MAX_URN_CHARS, required=True
        ),
        framework_ref_id=_text(
            framework, "ref_id", path="objects.framework.ref_id", limit=MAX_NAME_CHARS
        ),
        name_fr=names[0],
        name_en=names[1],
        description_fr=descriptions[0],
        description_en=descriptions[1],
        nodes=_nodes(framework.get("requirement_nodes"), language),
    )


def _load_yaml(raw: bytes) -> Any:
    if len(raw) > MAX_LIBRARY_BYTES:
        raise ImportRefused(
            _("The file is larger than %(size)s MB.") % {"size": MAX_LIBRARY_BYTES // (1024 * 1024)}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(_("The file is not UTF-8 text.")) from exc
    try:
        loader = LOADER(text)  # as yaml.load does it
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ImportRefused(
            _("The file is not valid YAML (line %(line)s): %(problem)s")
            % {"line": mark.line + 1 if mark else "?", "problem": exc.problem or exc.context}
        ) from exc
    except yaml.YAMLError as exc:
        raise ImportRefused(
            _("The file is not valid YAML: %(problem)s") % {"problem": exc}
        ) from exc
    except ValueError as exc:
        # An implicit value the reader cannot build: an int of a million digits, 2025-13-45.
        raise ImportRefused(
            _("The file holds a value that cannot be read: %(problem)s") % {"problem": exc}
        ) from exc


def _nodes(value: Any, language: str) -> tuple[ParsedNode, ...]:
    path = "objects.framework.requirement_nodes"
    if value is None:
        raise ImportRefused(_("%(path)s is missing.") % {"path": path})
    if not isinstance(value, list):
        raise ImportRefused(_("%(path)s must be a list.") % {"path": path})
    if not value:
        raise ImportRefused(_("The framework has no requirement nodes."))
    if len(value) > MAX_NODES:
        raise ImportRefused(
            _("The framework has more than %(limit)s requirement nodes.") % {"limit": MAX_NODES}
        )
    depth_of: dict[str, int] = {}
    nodes = []
    for order, item in enumerate(value):
        node_path = f"requirement_nodes[{order}]"
        node = _mapping(item, node_path)
        urn = _text(node, "urn", path=f"{node_path}.urn", limit=MAX_URN_CHARS, required=True)
        node_path = f"{node_path} ({urn})"
        if urn in depth_of:
            raise ImportRefused(
                _("%(path)s: this URN is used by an earlier node.") % {"path": node_path}
            )
        parent_urn = _text(node, "parent_urn", path=f"{node_path}.parent_urn", limit=MAX_URN_CHARS)
        if parent_urn and parent_urn not in depth_of:
            raise ImportRefused(
                _("%(path)s: its parent %(parent)s is not an earlier node.")
                % {"path": node_path, "parent": parent_urn}
            )
        depth = depth_of[parent_urn] + 1 if parent_urn else 1
        declared = node.get("depth", depth)
        if declared != depth or isinstance(declared, bool):
            raise ImportRefused(
                _("%(path)s: depth %(declared)s does not match its place in the tree (%(depth)s).")
                % {"path": node_path, "declared": str(declared)[:20], "depth": depth}
            )
        if depth > MAX_TREE_DEPTH:
            raise ImportRefused(
                _("%(path)s is nested deeper than %(limit)s levels.")
                % {"path": node_path, "limit": MAX_TREE_DEPTH}
            )
        assessable = node.get("assessable", False)
        if not isinstance(assessable, bool):
            raise ImportRefused(
                _("%(path)s must be true or false.") % {"path": f"{node_path}.assessable"}
            )
        depth_of[urn] = depth
        names = _localised(node, "name", language, node_path, MAX_TEXT_CHARS)
        descriptions = _localised(node, "description", language, node_path, MAX_TEXT_CHARS)
        nodes.append(
            ParsedNode(
                urn=urn,
                ref_id=_text(node, "ref_id", path=f"{node_path}.ref_id", limit=MAX_REF_ID_CHARS),
                parent_urn=parent_urn or None,
                depth=depth,
                order=order,
                assessable=assessable,
                name_fr=names[0],
                name_en=names[1],
                description_fr=descriptions[0],
                description_en=descriptions[1],
            )
        )
    return tuple(nodes)


def _localised(
    source: Mapping[str, Any], field: str, language: str, path: str, limit: int
) -> tuple[str, str]:
    """(French, English) of a field: the main text is in the library's language, the others in
    `translations`. With neither French nor English, the main text stands in as English."""
    prefix = f"{path}." if path else ""
    main = _text(source, field, path=f"{prefix}{field}", limit=limit)
    translations = source.get("translations") or {}
    if not isinstance(translations, dict):
        raise ImportRefused(_("%(path)s must be a mapping.") % {"path": f"{prefix}translations"})
    texts = dict.fromkeys(LANGUAGES, "")
    if language in texts:
        texts[language] = main
    for key, translation in translations.items():
        target = _language(str(key))
        if target in texts and not texts[target]:
            where = f"{prefix}translations.{key}"
            texts[target] = _text(_mapping(translation, where), field, path=where, limit=limit)
    if not texts["fr"] and not texts["en"]:
        texts["en"] = main
    return texts["fr"], texts["en"]


def _first_of(own: tuple[str, str], inherited: tuple[str, str]) -> tuple[str, str]:
    return own[0] or inherited[0], own[1] or inherited[1]


def _language(locale: str) -> str:
    return locale.replace("_", "-").split("-")[0].strip().lower()


def _nested(source: Any, *keys: str) -> Any:
    value = source
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise ImportRefused(
                _("The file is not a framework library: it has no %(path)s.")
                % {"path": ".".join(keys)}
            )
        value = value[key]
    return value


def _mapping(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        if not path:
            raise ImportRefused(_("The file is not a framework library."))
        raise ImportRefused(_("%(path)s must be a mapping.") % {"path": path})
    return value


def _text(
    source: Mapping[str, Any], key: str, *, path: str, limit: int, required: bool = False
) -> str:
    value = source.get(key)
    if value is None:
        value = ""
    # An unquoted reference such as `ref_id: 5` or `ref_id: 5.1` is read as a number.
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ImportRefused(_("%(path)s must be text.") % {"path": path})
    value = value.strip()
    if required and not value:
        raise ImportRefused(_("%(path)s is missing.") % {"path": path})
    if len(value) > limit:
        raise ImportRefused(
            _("%(path)s is longer than %(limit)s characters.") % {"path": path, "limit": limit}
        )
    return value


def _version(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VERSION:
        raise ImportRefused(
            _("%(path)s must be a whole number from 0 to %(max)s.")
            % {"path": "version", "max": MAX_VERSION}
        )
    return value


def _date(value: Any, path: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ImportRefused(_("%(path)s must be a date (YYYY-MM-DD).") % {"path": path})

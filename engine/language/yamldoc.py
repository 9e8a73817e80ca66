"""Read a YAML rule file into plain data while keeping every node's file:line:col.

Scalars follow the YAML 1.2 core schema, not PyYAML's 1.1 default: `on`, `yes`, `off`
stay strings (a rule's `on:` key must not turn into True), dates and `8:00` stay strings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from shiftwork.engine.errors import Diagnostic, Loc

# libyaml (when PyYAML was built with it) composes about ten times faster; on an error the Python
# parser reads the file again, because its messages are the ones _syntax_message rewords.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 500_000
Path = tuple[Any, ...]

_INT = re.compile(r"^[-+]?[0-9]+$")  # YAML 1.2 core: leading zeros allowed, still decimal
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


@dataclass
class Document:
    """Parsed data plus the location of every value and every mapping key, by path.

    A location is kept as one packed int (line << 32 | column, see _packed) and made a Loc only when asked
    for: a Loc object per YAML node was a third of a loaded rule set's memory, for diagnostics few files have.
    """

    file: str
    data: Any
    locs: dict[Path, int] = field(default_factory=dict)
    key_locs: dict[Path, int] = field(default_factory=dict)

    def loc(self, path: Path, key: bool = False) -> Loc:
        """The closest known location for a path (the key itself when `key`)."""
        path = tuple(path)
        if key and path in self.key_locs:
            return self._loc(self.key_locs[path])
        while path:
            if path in self.locs:
                return self._loc(self.locs[path])
            path = path[:-1]
        return self._loc(self.locs.get((), _packed(None)))

    def _loc(self, packed: int) -> Loc:
        return Loc(self.file, packed >> 32, packed & 0xFFFFFFFF)


class YamlError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def _mark_loc(file: str, mark: yaml.Mark | None) -> Loc:
    if mark is None:
        return Loc(file, 1, 1)
    return Loc(file, mark.line + 1, mark.column + 1)


def _packed(mark: yaml.Mark | None) -> int:
    """The 1-based line and column of a mark in one int (what _mark_loc would make a Loc of)."""
    if mark is None:
        return 1 << 32 | 1
    return (mark.line + 1) << 32 | (mark.column + 1)


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style is not None and node.style != "":  # quoted or block scalar: always a string
        return value
    if node.tag not in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"):
        return value
    return _plain(value)


def _plain(value: str) -> Any:
    """A plain (unquoted, untagged) scalar by the YAML 1.2 core schema."""
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if _INT.match(value):
        return int(value)
    if _HEX.match(value):
        return int(value, 16)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        return float(value)
    return value


def _where(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}:{mark.column + 1}" if mark is not None else "above"


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's parser wording, restated in terms of what the user wrote."""
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    context, opened = (exc.context or "").strip(), _where(exc.context_mark)
    if "\t" in problem or "found character '\\t'" in problem:
        return "tab characters cannot indent YAML; use spaces"
    if "flow sequence" in context and problem.endswith("'<stream end>'"):
        return "this list '[' is never closed with ']'"
    if "flow mapping" in context and problem.endswith("'<stream end>'"):
        return "this mapping '{' is never closed with '}'"
    if "flow sequence" in context or "flow mapping" in context:
        found = problem.split("but got ", 1)[-1]
        kind, opener, closer = ("list", "[", "]") if "sequence" in context else ("mapping", "{", "}")
        return (f"unexpected {found} inside the {kind} '{opener}' opened at {opened}; is a '{closer}' missing? "
                "(separate items with ',' and quote values that contain ': ')")
    if "quoted scalar" in context and "end of stream" in problem:
        return "this quoted string is never closed"
    if problem == "mapping values are not allowed here":
        return "unexpected ':'; quote a value that contains ': ', or check this line's indentation"
    if problem.startswith("expected <block end>"):
        return f"this line's indentation does not fit the block that starts at {opened}"
    if "that cannot start any token" in problem:
        char = problem.split("'", 2)[1] if problem.count("'") >= 2 else "this character"
        return f"a plain value cannot start with '{char}'; quote it"
    return f"invalid YAML: {problem}"


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.locs: dict[Path, int] = {}
        self.key_locs: dict[Path, int] = {}
        self.count = 0
        self.open: set[int] = set()  # nodes being built: an alias back into one of them is a cycle

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:  # aliases can expand a small file into billions of nodes
            raise YamlError(Diagnostic(_mark_loc(self.file, node.start_mark),
                                       f"too many YAML nodes (over {MAX_NODES}); are anchors expanding recursively?"))
        if id(node) in self.open:
            raise YamlError(Diagnostic(_mark_loc(self.file, node.start_mark),
                                       "this anchored value contains an alias ('*name') to itself; rule data "
                                       "cannot be recursive"))
        self.locs[path] = _packed(node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        self.open.add(id(node))
        try:
            return self._collection(node, path)
        finally:
            self.open.discard(id(node))

    def _collection(self, node: yaml.Node, path: Path) -> Any:
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlError(Diagnostic(_mark_loc(self.file, key_node.start_mark),
                                               "YAML merge keys ('<<') are not supported; write the fields out"))
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlError(Diagnostic(_mark_loc(self.file, key_node.start_mark),
                                               "a mapping key must be a plain name, not a list or mapping"))
                key = key_node.value
                at = path + (key,)  # one tuple for both tables
                if key in out:
                    first = self.key_locs[at] >> 32
                    raise YamlError(Diagnostic(_mark_loc(self.file, key_node.start_mark),
                                               f"duplicate key '{key}' (first defined at line {first}); "
                                               "a key may appear once per mapping",
                                               path=format_path(path) or None))
                self.key_locs[at] = _packed(key_node.start_mark)
                out[key] = self.build(value_node, at)
            return out
        raise YamlError(Diagnostic(_mark_loc(self.file, node.start_mark), "unsupported YAML node"))


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _compose(text: str) -> list[yaml.Node]:
    if _FAST_LOADER is not None:
        try:
            return list(yaml.compose_all(text, Loader=_FAST_LOADER))
        except yaml.YAMLError:
            pass
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


class _Unusual(Exception):
    """Something the event reader leaves to the composer (anchors, tags, merge or duplicate keys, errors)."""


class _EventReader:
    """Data and locations straight from libyaml's parse events, without composing a node tree first.

    The same data and locations as _Builder on a composed tree, for the documents rule files are: one
    mapping, no anchors, aliases, tags, merge keys or duplicate keys. On anything else it gives up
    (_Unusual) and the file is composed as before, errors and all. Not building then dropping a node per
    value makes reading ~25% cheaper and leaves the heap holding only the data and its locations.
    """

    def __init__(self, text: str):
        self.loader = _FAST_LOADER(text)
        self.next = self.loader.get_event
        self.locs: dict[Path, int] = {}
        self.key_locs: dict[Path, int] = {}
        self.count = 0

    def document(self) -> Any:
        self.next()  # stream start
        if type(self.next()) is not yaml.DocumentStartEvent:
            raise _Unusual  # an empty file
        root = self.next()
        if type(root) is not yaml.MappingStartEvent:
            raise _Unusual  # not a mapping: the composer's path words it
        data = self.value(root, ())
        if type(self.next()) is not yaml.DocumentEndEvent or type(self.next()) is not yaml.StreamEndEvent:
            raise _Unusual  # a second document
        return data

    def value(self, event: yaml.Event, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES or event.anchor is not None or getattr(event, "tag", None) is not None:
            raise _Unusual  # an alias names its anchor in `anchor`
        self.locs[path] = _packed(event.start_mark)
        kind = type(event)
        if kind is yaml.ScalarEvent:
            return event.value if event.style else _plain(event.value)
        if kind is yaml.MappingStartEvent:
            out: dict[str, Any] = {}
            while type(key := self.next()) is not yaml.MappingEndEvent:
                if type(key) is not yaml.ScalarEvent or key.anchor is not None or key.tag is not None \
                        or key.value in out or (key.value == "<<" and not key.style):
                    raise _Unusual
                at = path + (key.value,)
                self.key_locs[at] = _packed(key.start_mark)
                out[key.value] = self.value(self.next(), at)
            return out
        if kind is yaml.SequenceStartEvent:
            items: list[Any] = []
            while type(item := self.next()) is not yaml.SequenceEndEvent:
                items.append(self.value(item, path + (len(items),)))
            return items
        raise _Unusual  # an alias


def _read_events(text: str, file: str) -> Document | None:
    """The document by _EventReader, or None when the composer must read it."""
    if _FAST_LOADER is None:
        return None
    try:
        reader = _EventReader(text)
    except yaml.YAMLError:
        return None
    try:
        return Document(file, reader.document(), reader.locs, reader.key_locs)
    except (_Unusual, yaml.YAMLError, RecursionError):
        return None
    finally:
        reader.loader.dispose()


def parse(text: str, file: str) -> Document:
    """Parse one YAML document; raise YamlError with a located, one-line message."""
    if "\x00" in text:
        raise YamlError(Diagnostic(Loc(file, 1, 1), "not a text file (contains NUL bytes)"))
    doc = _read_events(text, file)
    return doc if doc is not None else _parse_composed(text, file)


def _parse_composed(text: str, file: str) -> Document:
    """Compose the node tree and build from it: every file _EventReader leaves, and every YAML error."""
    try:
        nodes = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or ""
        if exc.context_mark is not None and ("end of stream" in problem or problem.endswith("'<stream end>'")):
            mark = exc.context_mark  # "never closed": point at the opening, not at the end of the file
        raise YamlError(Diagnostic(_mark_loc(file, mark), _syntax_message(exc))) from None
    except yaml.YAMLError as exc:
        raise YamlError(Diagnostic(Loc(file, 1, 1), f"invalid YAML: {exc}")) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise YamlError(Diagnostic(Loc(file, 1, 1), "empty file: expected a mapping with 'version' and 'rules'"))
    if len(nodes) > 1:
        raise YamlError(Diagnostic(_mark_loc(file, nodes[1].start_mark),
                                   "a second YAML document starts here ('---'); a rule file holds one document, "
                                   "so put the second one in its own file"))
    builder = _Builder(file)
    data = builder.build(nodes[0], ())
    return Document(file, data, builder.locs, builder.key_locs)

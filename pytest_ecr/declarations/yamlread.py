"""Safe YAML reading: parser events to plain values, remembering where each one was.

PyYAML's composer is recursive (the C one crashes the interpreter on deeply nested input)
and its constructors can build arbitrary objects, so this module reads the parser's event
stream itself: an explicit stack bounds the depth, anchors are reused instead of copied
and their expansion is counted (so "billion laughs" input fails fast), only standard scalar
tags are ever constructed, and the line of every mapping key and sequence item is kept
for error messages.
"""

from __future__ import annotations

from typing import Any, Final

import yaml

from pytest_ecr.declarations.problems import Problem, join_path

#: How deep lists and mappings may nest (manifests need fewer than ten levels).
MAX_DEPTH: Final = 100
#: How many nodes aliases may add by repeating anchored content.
MAX_ALIAS_NODES: Final = 1_000_000

_Loader: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
#: Where a reader error's ``position`` counts: libyaml's reader in bytes of the UTF-8 text,
#: PyYAML's own in characters.
_POSITION_IN_BYTES: Final = bool(yaml.__with_libyaml__)
# The event classes the parser really yields. libyaml's extension module keeps the classes
# it was first initialised with: when ``yaml`` is imported again (pytester's in-process
# runs drop the modules a run imported), ``yaml.ScalarEvent`` is a new class the C parser
# never yields, so events are compared with the extension's own.
_EVENTS: Any = yaml._yaml if yaml.__with_libyaml__ else yaml.events

_STD = "tag:yaml.org,2002:"
_STR = _STD + "str"
_INT = _STD + "int"
_FLOAT = _STD + "float"
_BOOL = _STD + "bool"
_NULL = _STD + "null"
_TIMESTAMP = _STD + "timestamp"
_MERGE = _STD + "merge"
_VALUE = _STD + "value"
_SEQ = _STD + "seq"
_MAP = _STD + "map"

_NOT_ALLOWED_HINT = (
    "a declaration is plain data: strings, numbers, booleans, null, timestamps, lists and mappings"
)


class _Marker:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


#: Stands for a value that was already reported (a forbidden tag, an unreadable scalar);
#: later checks skip it so one mistake is reported once.
INVALID: Final[Any] = _Marker("INVALID")
_MERGE_KEY: Final[Any] = _Marker("MERGE_KEY")
_SKIP_KEY: Final[Any] = _Marker("SKIP_KEY")
_NO_KEY: Final[Any] = _Marker("NO_KEY")
#: What :func:`read_yaml` returns for a stream without any document.
NO_DOCUMENT: Final[Any] = _Marker("NO_DOCUMENT")


class Lines:
    """1-based lines of the containers of a read document and of their keys and items.

    Entries hold their container, so an ``id`` is never reused while the table lives.
    """

    __slots__ = ("_table",)

    def __init__(self) -> None:
        self._table: dict[int, tuple[object, int, Any]] = {}

    def add(self, container: object, line: int, children: dict[Any, int] | list[int]) -> None:
        self._table[id(container)] = (container, line, children)

    def line(self, container: object) -> int | None:
        entry = self._table.get(id(container))
        return entry[1] if entry is not None else None

    def child(self, container: object, key: Any) -> int | None:
        """The line of *key* (of a mapping) or item *key* (of a list)."""
        entry = self._table.get(id(container))
        if entry is None:
            return None
        children = entry[2]
        if isinstance(children, dict):
            found: int | None = children.get(key)
            return found
        if isinstance(key, int) and 0 <= key < len(children):
            line: int = children[key]
            return line
        return None

    def children(self, container: object) -> dict[Any, int] | list[int] | None:
        entry = self._table.get(id(container))
        return entry[2] if entry is not None else None


class _Abort(Exception):
    """Stop reading: the rest of the stream cannot be trusted or would cost too much."""


class _Frame:
    __slots__ = (
        "anchor",
        "children",
        "height",
        "invalid",
        "is_map",
        "key",
        "key_line",
        "line",
        "merges",
        "size",
        "value",
    )

    def __init__(self, is_map: bool, line: int, anchor: str | None) -> None:
        self.is_map = is_map
        self.line = line
        self.anchor = anchor
        self.value: Any = {} if is_map else []
        self.children: Any = {} if is_map else []
        self.key: Any = _NO_KEY
        self.key_line = line
        self.merges: list[Any] = []
        self.size = 1
        self.height = 1
        self.invalid = False


def _display_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


class _Reader:
    """One pass over the events of one stream."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        self.lines = Lines()
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.open_anchors: set[str] = set()
        self.alias_nodes = 0
        resolver = yaml.resolver.Resolver()
        self.resolve: Any = resolver.resolve
        self.first_chars = frozenset(resolver.yaml_implicit_resolvers)
        constructor = yaml.constructor.SafeConstructor()
        self.constructors: dict[str, Any] = {
            _INT: constructor.construct_yaml_int,
            _FLOAT: constructor.construct_yaml_float,
            _BOOL: constructor.construct_yaml_bool,
            _TIMESTAMP: constructor.construct_yaml_timestamp,
        }
        self.root: Any = NO_DOCUMENT

    # -- reporting -------------------------------------------------------------------

    def path(self) -> str:
        path = ""
        for frame in self.stack:
            if frame.is_map:
                if frame.key is _NO_KEY or frame.key is _SKIP_KEY:
                    break
                path = join_path(path, "<<" if frame.key is _MERGE_KEY else frame.key)
            else:
                path = join_path(path, len(frame.value))
        return path

    def problem(self, line: int | None, message: str, hint: str | None = None) -> None:
        path = self.path()
        if len(path) > 80:
            path = path[:77] + "..."
        self.problems.append(Problem(self.source, line, path, message, hint))

    # -- values ----------------------------------------------------------------------

    def scalar(self, event: Any) -> Any:
        value: str = event.value
        tag: str | None = event.tag
        if tag is None or tag == "!":
            implicit = event.implicit
            # Quoted and block scalars are strings; so is any plain scalar whose first
            # character starts no implicit type (most keys and names).
            if not implicit[0] or (value and value[0] not in self.first_chars):
                return value
            # Plain decimal digits are always an int (YAML 1.1 reads a leading 0 as octal).
            # Long ones take the slow path, where int()'s digit limit becomes a problem.
            if (
                value.isdigit()
                and value.isascii()
                and (value[0] != "0" or len(value) == 1)
                and len(value) < 19
            ):
                return int(value)
            tag = self.resolve(yaml.ScalarNode, value, implicit)
            explicit = False
        else:
            explicit = True
        return self._resolved(event, value, tag, explicit)

    def _resolved(self, event: Any, value: str, tag: str, explicit: bool) -> Any:
        """The value of a scalar whose tag is known (explicit or resolved)."""
        if tag in (_STR, _VALUE):
            return value
        if tag == _NULL:
            return None
        if tag == _MERGE:
            frame = self.stack[-1] if self.stack else None
            if frame is not None and frame.is_map and frame.key is _NO_KEY and not explicit:
                return _MERGE_KEY
            return value
        return self._construct(event.start_mark.line + 1, value, tag, explicit)

    def _construct(self, line: int, value: str, tag: str, explicit: bool) -> Any:
        """Build a typed scalar through the allowed constructors, or record a problem."""
        construct = self.constructors.get(tag)
        if construct is None:
            self.problem(line, f"YAML tag {_display_tag(tag)!r} is not allowed", _NOT_ALLOWED_HINT)
            return INVALID
        try:
            return construct(yaml.ScalarNode(tag, value))
        except Exception:  # the constructors raise ValueError, KeyError, AttributeError...
            self.problem(
                line,
                f"cannot read {value if len(value) <= 60 else value[:57] + '...'!r} as "
                f"{_display_tag(tag)}",
                "quote it to keep it a string" if not explicit else None,
            )
            return INVALID

    def add(self, value: Any, line: int, size: int, height: int) -> None:
        """Put a finished value into the open container (or make it the document)."""
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        if height >= frame.height:
            frame.height = height + 1
        if not frame.is_map:
            frame.value.append(value)
            frame.children.append(line)
            return
        key = frame.key
        if key is _NO_KEY:
            if value is INVALID:
                frame.key = _SKIP_KEY
            elif isinstance(value, (dict, list)):
                self.problem(
                    line,
                    "a mapping key must be a plain value, found "
                    + ("a mapping" if isinstance(value, dict) else "a list"),
                )
                frame.key = _SKIP_KEY
            else:
                frame.key = value
            frame.key_line = line
            return
        frame.key = _NO_KEY
        if key is _SKIP_KEY:
            return
        if key is _MERGE_KEY:
            if value is INVALID:
                return
            if isinstance(value, dict) or (
                isinstance(value, list) and all(isinstance(v, dict) for v in value)
            ):
                frame.merges.append(value)
            else:
                frame.key = _MERGE_KEY  # so the problem's path ends in '<<'
                self.problem(
                    frame.key_line,
                    "'<<' merges a mapping or a list of mappings, found "
                    + ("a list" if isinstance(value, list) else "a plain value"),
                )
                frame.key = _NO_KEY
            return
        container = frame.value
        if key in container:
            first = frame.children.get(key)
            frame.key = _SKIP_KEY
            self.problem(
                frame.key_line,
                f"duplicate key {key!r}" + (f" (first at line {first})" if first else ""),
                "a key may appear once in a mapping",
            )
            frame.key = _NO_KEY
            return
        container[key] = value
        frame.children[key] = frame.key_line

    def start(self, event: Any, is_map: bool) -> None:
        line = event.start_mark.line + 1
        if len(self.stack) >= MAX_DEPTH:
            self.problem(
                line,
                f"lists and mappings nest deeper than {MAX_DEPTH} levels",
                "a registry declaration never needs that; is the input generated wrongly?",
            )
            raise _Abort
        frame = _Frame(is_map, line, event.anchor)
        tag = event.tag
        if tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
            self.problem(line, f"YAML tag {_display_tag(tag)!r} is not allowed", _NOT_ALLOWED_HINT)
            frame.invalid = True
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(frame)

    def end(self) -> None:
        frame = self.stack.pop()
        value = frame.value
        if frame.is_map and frame.key is not _NO_KEY:
            frame.key = _NO_KEY  # a key without a value cannot happen with a real parser
        if frame.merges:
            value, children = self.merged(frame)
        else:
            children = frame.children
        if frame.invalid:
            value = INVALID
        else:
            self.lines.add(value, frame.line, children)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (value, frame.size, frame.height)
        self.add(value, frame.line, frame.size, frame.height)

    def merged(self, frame: _Frame) -> tuple[dict[Any, Any], dict[Any, int]]:
        # PyYAML's order: within one '<<' list the first mapping wins, a later '<<' entry
        # overrides an earlier one, and explicit keys override everything merged.
        value: dict[Any, Any] = {}
        children: dict[Any, int] = {}
        for merge in frame.merges:
            for source in reversed(merge) if isinstance(merge, list) else (merge,):
                value.update(source)
                source_lines = self.lines.children(source)
                if isinstance(source_lines, dict):
                    children.update(source_lines)
        value.update(frame.value)
        children.update(frame.children)
        return value, children

    def alias(self, event: Any) -> None:
        line = event.start_mark.line + 1
        name = event.anchor
        if name in self.open_anchors:
            self.problem(
                line,
                f"alias *{name} refers to a list or mapping that contains it",
                "an alias may only repeat a value defined before and outside it",
            )
            raise _Abort
        found = self.anchors.get(name)
        if found is None:
            self.problem(
                line,
                f"alias *{name} refers to no anchor &{name} before it",
                f"define &{name} on a value above this line, or write the value out",
            )
            self.add(INVALID, line, 1, 0)
            return
        value, size, height = found
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            self.problem(
                line,
                f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                "this looks like a 'billion laughs' document",
            )
            raise _Abort
        if len(self.stack) + height > MAX_DEPTH:
            self.problem(
                line, f"alias *{name} makes lists and mappings nest deeper than {MAX_DEPTH} levels"
            )
            raise _Abort
        self.add(value, line, size, height)

    # -- the stream ------------------------------------------------------------------

    def run(self, text: str | bytes) -> Any:
        events = _EVENTS
        scalar_event = events.ScalarEvent
        mapping_start = events.MappingStartEvent
        sequence_start = events.SequenceStartEvent
        ends = (events.MappingEndEvent, events.SequenceEndEvent)
        documents = 0
        event: Any
        loader = _Loader(text)
        try:
            # get_event() directly: a generator around it costs a third of the reading time.
            get_event = loader.get_event
            while True:
                event = get_event()
                kind = type(event)
                if kind is scalar_event:
                    value = self.scalar(event)
                    if event.anchor is not None:
                        self.anchors[event.anchor] = (value, 1, 0)
                    self.add(value, event.start_mark.line + 1, 1, 0)
                elif kind is mapping_start:
                    self.start(event, True)
                elif kind is sequence_start:
                    self.start(event, False)
                elif kind in ends:
                    self.end()
                elif kind is events.AliasEvent:
                    self.alias(event)
                elif kind is events.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        self.problem(
                            event.start_mark.line + 1,
                            "a second YAML document ('---') in one declaration",
                            "put each registry declaration in its own file, or merge them",
                        )
                        raise _Abort
                elif event is None or kind is events.StreamEndEvent:
                    break
        finally:
            loader.dispose()
        return self.root


def _error_line(exc: yaml.YAMLError, text: str | bytes) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        if _POSITION_IN_BYTES:
            data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
            return data.count(b"\n", 0, position) + 1
        chars = text if isinstance(text, str) else text.decode("utf-8", "replace")
        return chars.count("\n", 0, position) + 1
    return None


def _error_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if isinstance(problem, str):
        return f"invalid YAML: {context}, {problem}" if context else f"invalid YAML: {problem}"
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str):
        character = getattr(exc, "character", None)
        if isinstance(character, str):
            return f"invalid YAML: {reason} (character #x{ord(character):04x})"
        return f"invalid YAML: {reason}"
    return f"invalid YAML: {exc}"


def read_yaml(text: str | bytes, source: str) -> tuple[Any, Lines, list[Problem]]:
    """Read one YAML document into plain values.

    *text* is a string or UTF-8 bytes (a file's bytes go to the parser as they are: a
    decoded copy would be re-encoded by the parser, three copies of a large file at once).

    Returns the document (:data:`NO_DOCUMENT` for an empty stream; :data:`INVALID` where a
    value was rejected), the line table, and the problems found. Never raises for bad input.
    """
    problems: list[Problem] = []
    reader = _Reader(source, problems)
    try:
        root = reader.run(text)
    except _Abort:
        root = INVALID
    except yaml.YAMLError as exc:
        problems.append(
            Problem(
                source,
                _error_line(exc, text),
                reader.path(),
                _error_message(exc),
                "check the indentation (spaces, never tabs), brackets and quotes at or just "
                "before this line",
            )
        )
        root = INVALID
    return root, reader.lines, problems

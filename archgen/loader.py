"""Load a blueprint's YAML, keeping the line and column of every key and value.

The loader is the first line of defence against hostile or broken input: it
bounds the file size (read by the caller), the nesting depth and the expansion
of aliases ("billion laughs"), turns every scalar into plain JSON-like data
(strings, ints, floats, bools, None), and reports what YAML allows but a
blueprint cannot use (tags such as !!binary, a value that is not what its tag
says, complex keys, duplicate keys) as issues on the line where they stand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .findings import Issue, YamlPath, shown
from .rules import define

YAML_SYNTAX = define("AG001", "the file is a UTF-8 YAML document", "https://yaml.org/spec/1.2.2/")
DUPLICATE_KEY = define("AG002", "no key is written twice", "https://yaml.org/spec/1.2.2/#mapping")
INVALID_VALUE = define("AG005", "values have the right type and form")
READ_LIMIT = define("AG011", "the file stays within archgen's reading limits: size, nesting, alias expansion")

MAX_DEPTH = 64  # nesting levels; a blueprint needs a dozen
MAX_NODES = 200_000  # values after alias expansion; a 1000-subscriber blueprint has about 20,000
MAX_SCALAR_DIGITS = 30  # an integer or float written with more digits is not a value AWS takes

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class LoadError(Exception):
    """The file could not be read as a YAML document at all (exit 2)."""

    def __init__(self, message: str, line: int = 1, column: int = 1, rule: str = YAML_SYNTAX.id):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule


@dataclass
class Document:
    """Plain Python data plus where each piece of it was written."""

    data: object
    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)  # path -> (line, col) of value
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)  # path -> (line, col) of key
    issues: list[Issue] = field(default_factory=list)  # duplicate keys, unusable tags and scalars

    def locate(self, path: YamlPath, at_key: bool = False) -> tuple[int, int]:
        """The mark of `path`, or of its nearest enclosing element that was written."""
        path = tuple(path)
        while True:
            if at_key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def reported(self, path: YamlPath) -> bool:
        """True when the loader already reported something at or above `path`."""
        path = tuple(path)
        return any(path[: len(i.path)] == i.path for i in self.issues)


def _mark(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _check_aliases(text: str) -> None:
    """Refuse a document whose aliases expand to more than MAX_NODES values, at the alias that does it."""
    sizes: dict[str, int] = {}
    stack: list[list] = []  # [anchor, size] per open collection
    total = 0

    def finish(anchor: str | None, size: int) -> None:
        if anchor:
            sizes[anchor] = size
        if stack:
            stack[-1][1] += size

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([event.anchor, 1])
            total += 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size = stack.pop()
            finish(anchor, size)
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            finish(event.anchor, 1)
        elif isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor, 1)
            total += size
            finish(None, size)
            if total > MAX_NODES:
                raise LoadError(
                    f"the alias *{shown(event.anchor, 40)[1:-1]} expands the document beyond {MAX_NODES:,} values "
                    "(nested aliases multiply); write the values out or use fewer aliases",
                    *_mark(event.start_mark),
                    rule=READ_LIMIT.id,
                )


class _Builder:
    def __init__(self, doc: Document):
        self.doc = doc
        self.constructor = yaml.SafeLoader("")  # scalar construction and merge keys only
        self.count = 0

    def issue(self, path: YamlPath, message: str, node: yaml.Node) -> None:
        self.doc.issues.append(Issue(INVALID_VALUE.id, path, message, mark=_mark(node.start_mark)))

    def build(self, node: yaml.Node, path: YamlPath, depth: int = 0) -> object:
        self.count += 1
        if self.count > MAX_NODES:
            raise LoadError(f"the document holds more than {MAX_NODES:,} values", *_mark(node.start_mark), rule=READ_LIMIT.id)
        if depth > MAX_DEPTH:
            raise LoadError(f"values nest deeper than {MAX_DEPTH} levels", *_mark(node.start_mark), rule=READ_LIMIT.id)
        self.doc.values[path] = _mark(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node: yaml.MappingNode, path: YamlPath, depth: int) -> dict:
        if node.tag not in ("tag:yaml.org,2002:map",):
            self.issue(path, f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not supported in a blueprint", node)
        try:
            self.constructor.flatten_mapping(node)
        except yaml.MarkedYAMLError as exc:
            raise LoadError(f"not valid YAML: {exc.problem}", *_mark(exc.problem_mark or node.start_mark)) from None
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.issue(path, "mapping keys must be plain scalars (a name), not a list or mapping", key_node)
                continue
            key = self.scalar(key_node, path)
            if isinstance(key, bool):
                key = "true" if key else "false"
            elif not isinstance(key, str):
                key = "null" if key is None else str(key)
            child = path + (key,)
            if key in result:
                first = self.doc.keys[child]
                self.doc.issues.append(
                    Issue(DUPLICATE_KEY.id, child, f"duplicate key {shown(key)} (first written at line {first[0]})", mark=_mark(key_node.start_mark))
                )
                continue
            self.doc.keys[child] = _mark(key_node.start_mark)
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode, path: YamlPath) -> object:
        tag = node.tag
        if tag == "tag:yaml.org,2002:timestamp" and not node.style:
            return node.value  # a date is just text in a blueprint: no field takes a date
        if tag not in _PLAIN_TAGS:
            short = tag.replace("tag:yaml.org,2002:", "!!")
            self.issue(path, f"the YAML tag {shown(short, 40)} is not supported in a blueprint; write a plain value", node)
            return node.value
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            digits = sum(ch.isdigit() for ch in node.value)
            if digits > MAX_SCALAR_DIGITS:
                self.issue(path, f"a number of {digits} digits is not a value archgen or AWS accepts", node)
                return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, yaml.YAMLError):
            kind = tag.replace("tag:yaml.org,2002:", "")
            self.issue(path, f"{shown(node.value)} is not a valid {kind}", node)
            return node.value


def _line_col(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def loads(text: str) -> Document:
    """Read one YAML document; LoadError if it cannot be read at all."""
    doc = Document(data=None)
    try:
        if "*" in text and "&" in text:
            _check_aliases(text)
        node = yaml.compose(text, Loader=_Loader)
        if node is None:
            return doc
        doc.data = _Builder(doc).build(node, ())
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _mark(mark) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}"
        raise LoadError(f"not valid YAML: {problem}", line, col) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        line, col = _line_col(text, exc.position) if isinstance(exc.position, int) else (1, 1)
        raise LoadError(f"not valid YAML: character {exc.character!r} is not allowed in a YAML file", line, col) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise LoadError("not valid YAML: nesting too deep") from None


def decode(raw: bytes) -> str:
    """UTF-8 text of a blueprint file (a BOM is allowed); LoadError at the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        raise LoadError(f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded", line, col) from None

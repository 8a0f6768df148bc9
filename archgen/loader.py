"""Load a blueprint's YAML, keeping the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .findings import Issue, Path


class LoadError(Exception):
    """The file could not be read as YAML at all (exit 2)."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Document:
    """Plain Python data plus where each piece of it was written."""

    data: object
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)  # path -> (line, col) of value
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)  # path -> (line, col) of key
    issues: list[Issue] = field(default_factory=list)  # duplicate keys

    def locate(self, path: Path, at_key: bool = False) -> tuple[int, int]:
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


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, loader: yaml.SafeLoader):
        self.loader = loader
        self.doc = Document(data=None)

    def build(self, node: yaml.Node, path: Path) -> object:
        self.doc.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            result: dict = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    raise LoadError("mapping keys must be plain scalars", *_mark(key_node))
                key = str(key) if not isinstance(key, str) else key
                child = path + (key,)
                if key in result:
                    first = self.doc.keys[child]
                    self.doc.issues.append(
                        Issue(
                            "AG002",
                            child,
                            f"duplicate key {key!r} (first written at line {first[0]})",
                            mark=_mark(key_node),
                        )
                    )
                    continue
                self.doc.keys[child] = _mark(key_node)
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)


def loads(text: str) -> Document:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(data=None)
        builder = _Builder(loader)
        builder.doc.data = builder.build(node, ())
        return builder.doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}"
        raise LoadError(f"not valid YAML: {problem}", line, col) from None
    except yaml.YAMLError as exc:  # e.g. a reader error (bad bytes)
        raise LoadError(f"not valid YAML: {exc}") from None
    except RecursionError:
        raise LoadError("not valid YAML: nesting too deep") from None
    finally:
        loader.dispose()

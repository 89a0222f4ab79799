"""A YAML file read with the line of every key and item, so that each problem of a scenario
file names its line (PyYAML's safe loader: no tags that run code)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from routing.io import InputError

#: a key path into the document: mapping keys and sequence indices
Path_ = tuple[str | int, ...]
#: deeper nesting than this is refused (a scenario file is a few levels deep)
MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed file: its data (plain dicts, lists and scalars), the 1-based line of every
    key path, and the file's name for messages."""

    data: Any
    lines: dict[Path_, int]
    name: str

    def line(self, path: Path_) -> int:
        """The line of ``path``, else of its nearest ancestor that has one (1: the top)."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: Path_) -> str:
        """``FILE: line N: a.b[2]``: where a problem is, for its message."""
        return f"{self.name}: line {self.line(path)}: {dotted(path)}"


def dotted(path: Path_) -> str:
    """``('grid', 'demand', 2)`` -> ``grid.demand[2]``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out or "(top)"


def load(path: str | Path) -> Document:
    """Read ``path``; a file that cannot be read or is not YAML is one :class:`InputError`
    line naming the line of the fault; a duplicate key is one line per duplicate."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([f"{p}: no such file"]) from None
    except UnicodeDecodeError:
        raise InputError([f"{p.name}: not UTF-8 text; expected a YAML file"]) from None
    except OSError as e:
        raise InputError([f"{p}: cannot read: {e.strerror or e}"]) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        problems: list[str] = []
        data = _build(loader, node, (), lines, problems, p.name) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise InputError([f"{p.name}: line {line}: malformed YAML: {e.problem or e}"]) from None
    except yaml.YAMLError as e:
        raise InputError([f"{p.name}: malformed YAML: {e}"]) from None
    finally:
        loader.dispose()
    if problems:
        raise InputError(problems)
    return Document(data=data, lines=lines, name=p.name)


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    problems: list[str],
    name: str,
) -> Any:
    """The node as plain data, recording the line of every key and item in ``lines``."""
    if len(path) > MAX_DEPTH:
        raise yaml.YAMLError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for k, v in node.value:
            key = loader.construct_object(k, deep=True) if isinstance(k, yaml.ScalarNode) else k
            line = k.start_mark.line + 1
            if not isinstance(key, str | int | float | bool) or key is None:
                problems.append(f"{name}: line {line}: {dotted(path)}: expected a name as key")
                continue
            key = str(key)
            if key in out:
                first = lines[(*path, key)]
                problems.append(
                    f"{name}: line {line}: {dotted((*path, key))}: duplicate key (first on "
                    f"line {first})"
                )
                continue
            lines[(*path, key)] = line
            out[key] = _build(loader, v, (*path, key), lines, problems, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, v in enumerate(node.value):
            lines[(*path, i)] = v.start_mark.line + 1
            items.append(_build(loader, v, (*path, i), lines, problems, name))
        return items
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:  # a timestamp-shaped scalar that is no date (2026-13-01): its text
        return node.value

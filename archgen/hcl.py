"""The one way blueprint values enter HCL, and the formatting pass.

Every template value goes through `hcl` (a quoted, escaped literal or an HCL
value built from literals) or `ident` (a checked identifier). The Jinja
environment refuses any other string, so no blueprint value can become HCL
syntax.
"""

from __future__ import annotations

import math
import re
import unicodedata

from markupsafe import Markup


class HCL(Markup):
    """Text that is already valid HCL syntax (produced by this module only).

    A Markup subclass so that Jinja's autoescape leaves it alone while the
    renderer's finalize hook refuses every plain string.
    """


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*\Z")
_BARE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
_KEYWORDS = {"for", "in", "if", "endif", "endfor", "else", "true", "false", "null"}


def escape_string(value: str) -> str:
    """The inside of an HCL quoted string that reads back as exactly `value`."""
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04x}")
        elif ch in "\u2028\u2029\u0085":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    text = "".join(out)
    # template sequences: `${` and `%{` start interpolation and directives
    return text.replace("${", "$${").replace("%{", "%%{")


def string(value: str) -> HCL:
    # HCL reads every string literal as Unicode NFC; write it that way so what
    # the file says is what Terraform sees.
    return HCL('"' + escape_string(unicodedata.normalize("NFC", value)) + '"')


def ident_path(value: str) -> HCL:
    """A reference such as `var.queue` (fixed names from templates, checked)."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[(\d+|each\.key|\*)\])*", value):
        raise ValueError(f"not an HCL reference: {value!r}")
    return HCL(value)


def comment(value: str) -> HCL:
    """Text for a `#` comment on one line."""
    return HCL(" ".join(str(value).split()))


def ident(value: str) -> HCL:
    if not isinstance(value, str) or not _IDENT.fullmatch(value):
        raise ValueError(f"not an HCL identifier: {value!r}")
    return HCL(value)


def _number(value: int | float) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("HCL has no infinite or NaN numbers")
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(value, "f").rstrip("0").rstrip(".")
        return text
    return str(value)


class Call:
    """A function call on plain data, e.g. `jsonencode({...})`, written at its place's indentation."""

    def __init__(self, function: str, argument: object):
        if not _BARE_KEY.fullmatch(function):
            raise ValueError(f"not a function name: {function!r}")
        self.function = function
        self.argument = argument


_PLAIN = re.compile(r"[A-Za-z0-9 _.:/=+@,()*?!&;<>'\[\]|^~-]*")


def value(data: object, indent: int = 0, bare_keys: bool = False) -> HCL:
    """An HCL expression for plain data: strings, numbers, bools, None, lists, dicts, calls.

    The text is what `terraform fmt` leaves at nesting level `indent`: objects one attribute a
    line with the `=` of consecutive single-line attributes aligned, long lists one item a line.
    `bare_keys` writes identifier-like keys unquoted (for jsonencode documents that read like
    JSON, keys stay quoted).
    """
    return data if isinstance(data, HCL) else HCL(_text(data, indent, bare_keys))


def attributes(data: dict, indent: int, bare_keys: bool = True) -> HCL:
    """The body of an object or block: one `key = value` line each, aligned as hclwrite aligns
    them (a run of single-line attributes; an attribute opening a multi-line value stands alone)."""
    return HCL(_attributes(data, indent, bare_keys))


# The text is built as plain str and marked HCL once: every piece below is a literal made here.


def _text(data: object, indent: int, bare_keys: bool) -> str:
    if isinstance(data, HCL):
        return str(data)
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, (int, float)):
        return _number(data)
    if isinstance(data, str):
        if _PLAIN.fullmatch(data):  # nothing to escape or normalise: the common case, kept fast
            return f'"{data}"'
        return str(string(data))
    if isinstance(data, Call):
        return f"{data.function}({_text(data.argument, indent, False)})"  # JSON-like: keys stay quoted
    if isinstance(data, (list, tuple)):
        items = [_text(item, indent + 1, bare_keys) for item in data]
        if not items:
            return "[]"
        if all("\n" not in item for item in items) and sum(len(i) + 2 for i in items) + indent * 2 < 100:
            return "[" + ", ".join(items) + "]"
        pad = "  " * (indent + 1)
        return "[\n" + "".join(f"{pad}{item},\n" for item in items) + "  " * indent + "]"
    if isinstance(data, dict):
        if not data:
            return "{}"
        return "{\n" + _attributes(data, indent + 1, bare_keys) + "  " * indent + "}"
    raise TypeError(f"cannot write {type(data).__name__} as HCL")


def _attributes(data: dict, indent: int, bare_keys: bool) -> str:
    pad = "  " * indent
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {v}\n" for k, v in run)
        run.clear()

    for key, item in data.items():
        key = str(key)
        bare = bare_keys and _BARE_KEY.fullmatch(key) and key not in _KEYWORDS
        key_text = key if bare else _text(key, indent, False)
        text = _text(item, indent, bare_keys)
        if "\n" in text:
            flush()
            lines.append(f"{pad}{key_text} = {text}\n")
        else:
            run.append((key_text, text))
    flush()
    return "".join(lines)


def for_python_hcl2(text: str) -> str:
    """Text python-hcl2 8.1 can parse: it misreads the escapes `%%{` and `$${` in
    some places where Go's HCL reads them fine (at the end of a string, in object
    keys). They only ever stand inside string literals here, so for a structural
    check they become three plain characters: lines and columns stay the same."""
    return text.replace("$${", "___").replace("%%{", "___")


# --- formatting pass -------------------------------------------------------
#
# hclwrite.Format (what `terraform fmt` runs) aligns the `=` of consecutive
# lines that each hold a whole single-line assignment; a line without one (a
# blank line, a block header, a line opening a multi-line value) ends the run.
# Templates are written with the right indentation; this pass only aligns.

_OPEN = "([{"
_CLOSE = ")]}"


def _scan(line: str, whole: bool = False) -> tuple[int | None, int]:
    """(index of the first assignment `=` outside strings or None, net brackets after it,
    or in the whole line with `whole`)."""
    i = 0
    n = len(line)
    eq = None
    net = 0
    depth_templates: list[int] = []  # inside "${ ... }" of a string: bracket depth to return at
    in_string = False
    while i < n:
        ch = line[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
            elif ch in "$%" and line.startswith("{", i + 1):
                run = 1
                while i - run >= 0 and line[i - run] == ch:
                    run += 1
                if run >= 2:
                    pass  # escaped: $${ / %%{ (and $$${ is a literal $ before $${)
                else:
                    depth_templates.append(0)
                    in_string = False
                    i += 2
                    continue
            i += 1
            continue
        if ch == '"':
            in_string = True
        elif ch == "#" or line.startswith("//", i):
            break
        elif ch in _OPEN:
            if depth_templates:
                depth_templates[-1] += 1
            elif eq is not None or whole:
                net += 1
        elif ch in _CLOSE:
            if depth_templates:
                if ch == "}" and depth_templates[-1] == 0:
                    depth_templates.pop()
                    in_string = True
                else:
                    depth_templates[-1] -= 1
            elif eq is not None or whole:
                net -= 1
        elif ch == "=" and eq is None and not depth_templates:
            prev = line[i - 1] if i else ""
            nxt = line[i + 1] if i + 1 < n else ""
            if prev not in "=!<>" and nxt not in "=>" and line[:i].strip():
                eq = i
        i += 1
    return eq, net


def align(text: str) -> str:
    """Align `=` in runs of single-line assignments, as hclwrite.Format does."""
    lines = text.split("\n")
    out = list(lines)
    run: list[tuple[int, str, str]] = []

    def flush() -> None:
        if run:
            width = max(len(lead) for _, lead, _ in run)
            for idx, lead, rest in run:
                out[idx] = lead.ljust(width) + " " + rest
            run.clear()

    for idx, line in enumerate(lines):
        eq, net = _scan(line)
        if eq is None or net != 0:
            flush()
            if eq is not None:  # an assignment opening a multi-line value: one space
                out[idx] = line[:eq].rstrip() + " = " + line[eq + 1 :].lstrip()
            continue
        lead = line[:eq].rstrip()
        rest = "= " + line[eq + 1 :].lstrip()
        run.append((idx, lead, rest))
    flush()
    return "\n".join(out)


_TOP_LEVEL = re.compile(r"^(resource|data|module|output|variable|locals|provider|terraform|moved|import|check|#)\b")


def tidy(text: str) -> str:
    """Trailing spaces off, single blank lines, top-level blocks apart, one final newline."""
    lines = [line.rstrip() for line in text.split("\n")]
    result: list[str] = []
    for line in lines:
        if _TOP_LEVEL.match(line) and result and result[-1] == "}":
            result.append("")
        if not line and (not result or not result[-1]):
            continue
        # no blank line right after an opening or before a closing brace
        if not line.strip() == "" and line.strip() in ("}", "]", ")", "})", "})]") and result and not result[-1]:
            result.pop()
        if line == "" and result and result[-1].rstrip().endswith(("{", "[", "(")):
            continue
        result.append(line)
    while result and not result[-1]:
        result.pop()
    return "\n".join(result) + "\n"


def reindent(text: str) -> str:
    """Two spaces per open bracket level, the way hclwrite.Format counts them:
    a line opening several brackets indents the next lines once."""
    indents: list[int] = []
    out = []
    for line in text.split("\n"):
        body = line.strip()
        if not body:
            out.append("")
            continue
        _, net = _scan(body, whole=True)
        if net > 0:
            out.append("  " * len(indents) + body)
            indents.append(net)
            continue
        closing = -net
        while closing > 0 and indents:
            if closing >= indents[-1]:
                closing -= indents.pop()
            else:
                indents[-1] -= closing
                closing = 0
        out.append("  " * len(indents) + body)
    return "\n".join(out)


def format_hcl(text: str) -> str:
    return align(reindent(tidy(text)))


def fragment(value: str) -> HCL:
    """An HCL fragment a template wrote itself (never a blueprint value: those reach
    templates only through `value`)."""
    if isinstance(value, HCL):
        return value
    if not isinstance(value, str):
        raise TypeError(f"not an HCL fragment: {value!r}")
    return HCL(value)

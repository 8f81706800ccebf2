"""Writes a configuration document as YAML, in the block style PyYAML's `safe_dump` gives it, without PyYAML.

`fig config` prints every project it reads; importing PyYAML (and compiling its patterns) took about a fifth of
that command's time, when the file's tree came from the cache (fig.config.loader) and nothing else needed it.
The document is what fig.config.render makes: mappings, lists, text, numbers, booleans and nulls. The text is what
`yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, allow_unicode=True)` writes for it, but that a
text which a compose file would read as another type (`0o17`, `1e5`) is quoted too."""

from __future__ import annotations

from typing import Any

from fig.config.scalars import plain_is_text

_SPACE = " "
_BREAKS = "\n\x85\u2028\u2029"
_BLANK = "\0 \t\r" + _BREAKS
_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r", "\x1b": "e",
            '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L", "\u2029": "P"}
_SIMPLE_KEY_LENGTH = 128  # PyYAML writes a longer key as a complex one; fig writes it quoted


def dump(document: dict[str, Any]) -> str:
    lines: list[str] = []
    _mapping(document, 0, lines)
    return "".join(line + "\n" for line in lines)


def _printable(ch: str) -> bool:
    """Written as it is (libyaml's emitter escapes characters beyond the first 65536 too)."""
    return ("\x20" <= ch <= "\x7e" or ch == "\n" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd") \
        and ch != "\ufeff"


def _styles(text: str) -> tuple[bool, bool, bool]:
    """Whether `text` may be written plain in a block, single-quoted, and whether it spans lines: YAML's rules for
    each style, as PyYAML's emitter applies them."""
    if not text:
        return False, True, False
    block_indicators = line_breaks = special = False
    leading_space = leading_break = trailing_space = trailing_break = break_space = space_break = False
    if text.startswith(("---", "...")):
        block_indicators = True
    preceded_by_blank, previous_space, previous_break = True, False, False
    last = len(text) - 1
    for index, ch in enumerate(text):
        followed_by_blank = index == last or text[index + 1] in _BLANK
        if index == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                block_indicators = True
            elif ch in "?:" and followed_by_blank:
                block_indicators = True
            elif ch == "-" and followed_by_blank:
                block_indicators = True
        elif ch == ":" and followed_by_blank:
            block_indicators = True
        elif ch == "#" and preceded_by_blank:
            block_indicators = True
        if ch in _BREAKS:
            line_breaks = True
        if not _printable(ch) or ch in _BREAKS[1:]:  # written as escapes: other readers take them for line breaks
            special = True
        if ch == _SPACE:
            leading_space = leading_space or index == 0
            trailing_space = trailing_space or index == last
            break_space = break_space or previous_break
            previous_space, previous_break = True, False
        elif ch in _BREAKS:
            leading_break = leading_break or index == 0
            trailing_break = trailing_break or index == last
            space_break = space_break or previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_blank = ch in _BLANK
    plain = not (leading_space or leading_break or trailing_space or trailing_break or break_space or space_break
                 or special or line_breaks or block_indicators)
    single = not (break_space or space_break or special)
    return plain, single, line_breaks


def _scalar(value: Any, indent: int, *, key: bool = False) -> list[str]:
    """A scalar's lines (more than one only for text that spans lines, single-quoted), continued at `indent`."""
    if value is None:
        return ["null"]
    if value is True or value is False:
        return ["true" if value else "false"]
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, float):
        return [_float(value)]
    if not isinstance(value, str):
        raise TypeError(f"cannot write a {type(value).__name__} as YAML")
    plain, single, multiline = _styles(value)
    if key and (multiline or len(value) >= _SIMPLE_KEY_LENGTH):
        return [_double_quoted(value)]
    if plain and plain_is_text(value):
        return [value]
    if single:
        return _single_quoted(value, indent)
    return [_double_quoted(value)]


def _float(value: float) -> str:
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def _single_quoted(text: str, indent: int) -> list[str]:
    """'text', its quotes doubled; a line break written as an empty line (as YAML folds single-quoted lines back),
    the lines after it indented."""
    lines, current, breaks = [], "'", False
    for ch in text:
        if ch in _BREAKS:
            if not breaks and ch == "\n":
                lines.append(current)
                current = ""
            lines.append(current)
            current = ""
            breaks = True
            continue
        if breaks:
            current = " " * indent
            breaks = False
        current += "''" if ch == "'" else ch
    if breaks:
        current = " " * indent
    lines.append(current + "'")
    return lines


def _double_quoted(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append("\\" + _ESCAPES[ch])
        elif not _printable(ch) or ch in _BREAKS:
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _mapping(mapping: dict[Any, Any], indent: int, lines: list[str]) -> None:
    """A block mapping, its keys at column `indent`."""
    pad = " " * indent
    for key, value in mapping.items():
        head = pad + _scalar(key, indent, key=True)[0] + ":"
        _value(head, value, indent, lines, in_mapping=True)


def _sequence(items: list[Any], indent: int, lines: list[str]) -> None:
    """A block sequence, its dashes at column `indent`."""
    pad = " " * indent
    for item in items:
        _value(pad + "-", item, indent, lines, in_mapping=False)


def _value(head: str, value: Any, indent: int, lines: list[str], *, in_mapping: bool) -> None:
    """`head` (a key and its colon, or a dash) and then `value`: on the same line when it is a scalar, an empty
    collection, or (after a dash) the first entry of a collection; else on the lines below."""
    if isinstance(value, dict) and value:
        if in_mapping:
            lines.append(head)
            _mapping(value, indent + 2, lines)
        else:
            _after_dash(head, lambda out: _mapping(value, indent + 2, out), lines)
    elif isinstance(value, list) and value:
        if in_mapping:  # a sequence in a mapping is not indented (PyYAML's style)
            lines.append(head)
            _sequence(value, indent, lines)
        else:
            _after_dash(head, lambda out: _sequence(value, indent + 2, out), lines)
    elif isinstance(value, (dict, list)):
        lines.append(f"{head} {'{}' if isinstance(value, dict) else '[]'}")
    else:
        first, *rest = _scalar(value, indent + 2)
        lines.append(f"{head} {first}")
        lines.extend(rest)


def _after_dash(head: str, write: Any, lines: list[str]) -> None:
    """A collection in a sequence: its first line goes on the dash's line."""
    start = len(lines)
    write(lines)
    lines[start] = head + " " + lines[start][len(head) + 1:]

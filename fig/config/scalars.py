"""What an unquoted scalar means: in a compose file (YAML 1.2, as compose-go reads it) and to a YAML 1.1 reader
(PyYAML, so Fig 1.0.1 and docker-compose 1.x). The parser (fig.config.yamlparse) tags plain scalars with the first;
the writer (fig.config.yamlwrite) quotes a text that either would read as something else. No PyYAML here."""

from __future__ import annotations

from fig.patterns import pattern

TAG = "tag:yaml.org,2002:"
IMPLICIT = "tag:fig,implicit:"  # the tags given to unquoted scalars, so an explicit `!!str yes` keeps its own
_PLAIN = {word: IMPLICIT + kind for kind, words in (
    ("bool", "true True TRUE false False FALSE"), ("null", "~ null Null NULL"),
    ("float", ".nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF")) for word in words.split()}
_PLAIN[""] = IMPLICIT + "null"
_PLAIN["<<"] = TAG + "merge"
_INTEGER = pattern(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_FLOAT = pattern(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")

# YAML 1.1's implicit types, as PyYAML's resolver has them (yaml/resolver.py): the words, then the patterns of
# numbers and timestamps (the first characters they can start with, then the pattern)
_WORDS_11 = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF "
                      "~ null Null NULL << =".split()) | {""}
_NUMBER_11 = pattern(
    r"(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
    r"|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$")


def resolve_plain(value: str) -> str:
    """The tag of an unquoted scalar in a compose file."""
    tag = _PLAIN.get(value)
    if tag:
        return tag
    first = value[0]
    if first == ".":
        return IMPLICIT + ("float" if _FLOAT.match(value) else "str")
    if first in "+-0123456789":
        digits = value.replace("_", "")
        if _INTEGER.match(digits):
            return IMPLICIT + "int"
        if _FLOAT.match(digits):
            return IMPLICIT + "float"
    return IMPLICIT + "str"


def plain_is_text(value: str) -> bool:
    """Whether `value`, unquoted, reads back as this text both in a compose file and to a YAML 1.1 reader."""
    if value in _WORDS_11 or (value[0] in "+-.0123456789" and _NUMBER_11.match(value)):
        return False
    return resolve_plain(value) == IMPLICIT + "str"

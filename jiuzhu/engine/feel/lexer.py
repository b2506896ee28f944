"""Tokenizer. FEEL names may contain spaces only for built-in functions, handled here by lookahead."""

from __future__ import annotations

import re
from typing import NamedTuple

from .errors import FeelError

# Built-in names that contain spaces. They become one NAME token when followed by '(' so that
# `date and time(...)` is not read as `date and time`.
MULTIWORD_FUNCTIONS = (
    "years and months duration",
    "date and time",
    "string length",
    "upper case",
    "lower case",
    "substring before",
    "substring after",
    "starts with",
    "ends with",
    "list contains",
    "distinct values",
    "index of",
    "insert before",
    "get value",
    "get entries",
    "day of week",
    "day of year",
    "week of year",
    "month of year",
    "last day of month",
    "is defined",
    "get or else",
    "put all",
    "context put",
    "context merge",
    "string join",
    "round up",
    "round down",
    "round half up",
    "round half down",
    "is empty",
    "duplicate values",
    "random number",
    "is blank",
    "to base64",
    "from json",
    "to json",
    "met by",
    "overlaps before",
    "overlaps after",
    "finished by",
    "started by",
    "date time",
)

_MULTI_RE = re.compile(
    "|".join(
        r"\s+".join(re.escape(w) for w in name.split()) + r"(?=\s*\()"
        for name in sorted(MULTIWORD_FUNCTIONS, key=len, reverse=True)
    )
)

_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_NAME_START = re.compile(r"[^\W\d]|[_?$]", re.UNICODE)
_NAME_RE = re.compile(r"(?:[^\W\d]|[_$])[\w$]*", re.UNICODE)
_WS_RE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.DOTALL)

_PUNCT = (
    "**",
    "..",
    "!=",
    "<=",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "=",
    "<",
    ">",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "?",
    "@",
)

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "'": "'", "b": "\b", "f": "\f"}


class Token(NamedTuple):
    kind: str  # NUMBER, STRING, NAME, QNAME (backtick name), OP, EOF
    value: str
    pos: int
    end: int


def _read_string(text: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    i = start + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return "".join(out), i + 1
        if c == "\\":
            if i + 1 >= n:
                break
            e = text[i + 1]
            if e in _ESCAPES:
                out.append(_ESCAPES[e])
                i += 2
                continue
            if e == "u":
                hexd = text[i + 2 : i + 6]
                if len(hexd) == 4 and all(h in "0123456789abcdefABCDEF" for h in hexd):
                    cp = int(hexd, 16)
                    i += 6
                    # join UTF-16 surrogate pairs written as two \u escapes
                    if 0xD800 <= cp < 0xDC00 and text[i : i + 2] == "\\u":
                        low = text[i + 2 : i + 6]
                        if len(low) == 4 and all(h in "0123456789abcdefABCDEF" for h in low):
                            lc = int(low, 16)
                            if 0xDC00 <= lc < 0xE000:
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lc - 0xDC00)
                                i += 6
                    out.append(chr(cp) if not 0xD800 <= cp < 0xE000 else "\ufffd")
                    continue
                raise FeelError("invalid unicode escape in string", text, i)
            if e == "U":
                hexd = text[i + 2 : i + 8]
                if len(hexd) == 6 and all(h in "0123456789abcdefABCDEF" for h in hexd) and int(hexd, 16) < 0x110000:
                    out.append(chr(int(hexd, 16)))
                    i += 8
                    continue
                raise FeelError("invalid unicode escape in string", text, i)
            # unknown escapes keep the character, as regular expressions need `\d` etc.
            out.append("\\" + e)
            i += 2
            continue
        out.append(c)
        i += 1
    raise FeelError("unterminated string literal", text, start)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    n = len(text)
    append = tokens.append
    while True:
        m = _WS_RE.match(text, i)
        if m:
            i = m.end()
        if i >= n:
            append(Token("EOF", "", n, n))
            return tokens
        c = text[i]
        if c == '"':
            value, j = _read_string(text, i)
            append(Token("STRING", value, i, j))
            i = j
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit() and not text.startswith("..", i)):
            m = _NUMBER_RE.match(text, i)
            if m:
                append(Token("NUMBER", m.group(), i, m.end()))
                i = m.end()
                continue
        if c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise FeelError("unterminated `name`", text, i)
            append(Token("QNAME", text[i + 1 : j], i, j + 1))
            i = j + 1
            continue
        if _NAME_START.match(c) and c != "?":
            m = _MULTI_RE.match(text, i)
            if m:
                append(Token("NAME", " ".join(m.group().split()), i, m.end()))
                i = m.end()
                continue
            m = _NAME_RE.match(text, i)
            if m:
                append(Token("NAME", m.group(), i, m.end()))
                i = m.end()
                continue
        for p in _PUNCT:
            if text.startswith(p, i):
                append(Token("OP", p, i, i + len(p)))
                i += len(p)
                break
        else:
            raise FeelError(f"unexpected character {c!r}", text, i)

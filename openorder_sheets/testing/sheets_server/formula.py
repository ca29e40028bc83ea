"""A small formula evaluator: arithmetic, comparisons, ``&``, cell references and a few functions.

It covers what sellers typically put next to their data (``=B2*C2``, ``=SUM(D2:D50)``,
``=IF(E2>0,"ok","")``). Anything it does not understand (an unknown function, odd syntax)
raises :class:`UnsupportedFormulaError`; the server then answers the formula text itself, the
documented fallback of this fake.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from .a1 import MAX_COLUMNS, MAX_ROWS, A1Error, parse_range
from .cellvalue import CellError, Result, tidy_number
from .numfmt import general


class UnsupportedFormulaError(Exception):
    """The formula uses syntax or a function this evaluator does not implement."""


class Resolver(Protocol):
    """Reads cells for the evaluator (the store implements it)."""

    def cell(self, sheet: str | None, row: int, col: int) -> Result:
        """The evaluated value of one cell."""
        ...

    def cells(self, sheet: str | None, r0: int, c0: int, r1: int, c1: int) -> list[Result]:
        """The evaluated values of a box (end-exclusive), row by row."""
        ...


def _err(text: str) -> CellError:
    kinds = {"#DIV/0!": "DIVIDE_BY_ZERO", "#VALUE!": "VALUE", "#REF!": "REF", "#N/A": "N_A"}
    return CellError(text, kinds.get(text, "ERROR"))


class _FormulaError(Exception):
    def __init__(self, error: CellError) -> None:
        super().__init__(error.text)
        self.error = error


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
    |(?P<str>"(?:[^"]|"")*")
    |(?P<ref>(?:'(?:[^']|'')+'!|[A-Za-z_][\w.]*!)?(?:\$?[A-Za-z]{1,3}\$?\d*:\$?[A-Za-z]{1,3}\$?\d*|\$?[A-Za-z]{1,3}\$?\d+)(?![\w(]))
    |(?P<name>[A-Za-z_][\w.]*)
    |(?P<op><>|<=|>=|[-+*/^&=<>(),%:])
    )""",
    re.VERBOSE,
)

Token = tuple[str, str]
Values = list[Result]


def tokenize(text: str) -> list[Token]:
    """Split a formula (without its leading ``=``) into tokens."""
    tokens: list[Token] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise UnsupportedFormulaError(text[pos:])
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent; evaluates while parsing (formulas are small)."""

    def __init__(self, tokens: list[Token], resolver: Resolver) -> None:
        self.tokens = tokens
        self.pos = 0
        self.resolver = resolver

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, text: str | None = None) -> Token:
        token = self.peek()
        if token is None or (text is not None and token[1] != text):
            raise UnsupportedFormulaError(f"expected {text}")
        self.pos += 1
        return token

    def parse(self) -> Result | Values:
        value = self.comparison()
        if self.peek() is not None:
            raise UnsupportedFormulaError("trailing tokens")
        return value

    def comparison(self) -> Result | Values:
        left = self.concat()
        while (token := self.peek()) and token[1] in ("=", "<>", "<", ">", "<=", ">="):
            self.pos += 1
            left = _compare(token[1], scalar(left), scalar(self.concat()))
        return left

    def concat(self) -> Result | Values:
        left = self.additive()
        while (token := self.peek()) and token[1] == "&":
            self.pos += 1
            left = to_text(scalar(left)) + to_text(scalar(self.additive()))
        return left

    def additive(self) -> Result | Values:
        left = self.term()
        while (token := self.peek()) and token[1] in "+-" and token[0] == "op":
            self.pos += 1
            right = to_number(scalar(self.term()))
            left = to_number(scalar(left)) + (right if token[1] == "+" else -right)
        return left

    def term(self) -> Result | Values:
        left = self.power()
        while (token := self.peek()) and token[1] in ("*", "/"):
            self.pos += 1
            right = to_number(scalar(self.power()))
            if token[1] == "*":
                left = to_number(scalar(left)) * right
            elif right == 0:
                raise _FormulaError(_err("#DIV/0!"))
            else:
                left = to_number(scalar(left)) / right
        return left

    def power(self) -> Result | Values:
        left = self.unary()
        while (token := self.peek()) and token[1] == "^":
            self.pos += 1
            left = to_number(scalar(left)) ** to_number(scalar(self.unary()))
        return left

    def unary(self) -> Result | Values:
        token = self.peek()
        if token and token[1] in ("-", "+"):
            self.pos += 1
            number = to_number(scalar(self.unary()))
            return -number if token[1] == "-" else number
        value: Result | Values = self.primary()
        while (token := self.peek()) and token[1] == "%":
            self.pos += 1
            value = to_number(scalar(value)) / 100
        return value

    def primary(self) -> Result | Values:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(text)
        if kind == "name":
            upper = text.upper()
            if (token := self.peek()) and token[1] == "(":
                return self.call(upper)
            if upper in ("TRUE", "FALSE"):
                return upper == "TRUE"
            raise UnsupportedFormulaError(text)
        if text == "(":
            value = self.comparison()
            self.take(")")
            return value
        raise UnsupportedFormulaError(text)

    def reference(self, text: str) -> Result | Values:
        try:
            ref = parse_range(text if "!" in text else f"'_'!{text}")
        except A1Error as exc:
            raise UnsupportedFormulaError(text) from exc
        cells = ref.cells
        if cells is None:
            raise UnsupportedFormulaError(text)
        sheet = ref.sheet if "!" in text else None
        r0, c0 = cells.start_row or 0, cells.start_col or 0
        if cells.single:
            return self.resolver.cell(sheet, r0, c0)
        r1 = MAX_ROWS if cells.end_row is None else cells.end_row  # D:D reads the used rows
        c1 = MAX_COLUMNS if cells.end_col is None else cells.end_col
        return self.resolver.cells(sheet, r0, c0, r1, c1)

    def call(self, name: str) -> Result | Values:
        self.take("(")
        args: list[Result | Values] = []
        if (token := self.peek()) and token[1] == ")":
            self.pos += 1
        else:
            while True:
                args.append(self.comparison())
                separator = self.take()[1]
                if separator == ")":
                    break
                if separator != ",":
                    raise UnsupportedFormulaError(separator)
        function = FUNCTIONS.get(name)
        if function is None:
            raise UnsupportedFormulaError(name)
        return function(args)


def scalar(value: Result | Values) -> Result:
    """A single value from an expression (a range in scalar position takes its first cell)."""
    if isinstance(value, list):
        return value[0] if value else None
    if isinstance(value, CellError):
        raise _FormulaError(value)
    return value


def to_number(value: Result) -> float:
    """Coerce for arithmetic: blanks are 0, booleans 1/0, numeric text parses."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, CellError):
        raise _FormulaError(value)
    try:
        return float(value.strip() or 0)
    except ValueError as exc:
        raise _FormulaError(_err("#VALUE!")) from exc


def to_text(value: Result) -> str:
    """Coerce for ``&``: numbers in the automatic format, booleans as TRUE/FALSE."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return general(value)
    if isinstance(value, CellError):
        raise _FormulaError(value)
    return value


def _rank(value: Result) -> tuple[int, float | str]:
    if isinstance(value, bool):
        return 2, float(value)
    if isinstance(value, int | float):
        return 0, float(value)
    if value is None:
        return 0, 0.0
    return 1, str(value).lower()


def _compare(op: str, left: Result, right: Result) -> bool:
    if isinstance(left, str) and right is None:
        right = ""
    if isinstance(right, str) and left is None:
        left = ""
    a, b = _rank(left), _rank(right)
    return {
        "=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b,
    }[op]  # fmt: skip


def _flat(args: Sequence[Result | Values]) -> list[Result]:
    flat: list[Result] = []
    for arg in args:
        flat.extend(arg if isinstance(arg, list) else [arg])
    return flat


def _numbers(args: Sequence[Result | Values]) -> list[float]:
    out: list[float] = []
    for arg in args:
        if isinstance(arg, list):
            for item in arg:
                if isinstance(item, CellError):
                    raise _FormulaError(item)
                if isinstance(item, int | float) and not isinstance(item, bool):
                    out.append(float(item))
        else:
            out.append(to_number(arg))
    return out


def _if(args: list[Result | Values]) -> Result:
    if not 2 <= len(args) <= 3:
        raise UnsupportedFormulaError("IF")
    chosen = args[1] if to_number(scalar(args[0])) else (args[2] if len(args) == 3 else False)
    return scalar(chosen)


def _iferror(args: list[Result | Values]) -> Result:
    try:
        return scalar(args[0])
    except _FormulaError:
        return scalar(args[1]) if len(args) > 1 else ""


def _round(args: list[Result | Values]) -> Result:
    digits = int(to_number(scalar(args[1]))) if len(args) > 1 else 0
    value = to_number(scalar(args[0]))
    factor = 10.0**digits
    return math.copysign(math.floor(abs(value) * factor + 0.5) / factor, value)


FUNCTIONS: dict[str, Callable[[list[Result | Values]], Result]] = {
    "SUM": lambda a: sum(_numbers(a)),
    "AVERAGE": lambda a: (sum(n := _numbers(a)) / len(n)) if _numbers(a) else _raise("#DIV/0!"),
    "MIN": lambda a: min(_numbers(a), default=0.0),
    "MAX": lambda a: max(_numbers(a), default=0.0),
    "COUNT": lambda a: float(len(_numbers(a))),
    "COUNTA": lambda a: float(sum(1 for v in _flat(a) if v not in (None, ""))),
    "IF": _if,
    "IFERROR": _iferror,
    "AND": lambda a: all(to_number(v) for v in _flat(a) if v is not None),
    "OR": lambda a: any(to_number(v) for v in _flat(a) if v is not None),
    "NOT": lambda a: not to_number(scalar(a[0])),
    "ABS": lambda a: abs(to_number(scalar(a[0]))),
    "ROUND": _round,
    "LEN": lambda a: float(len(to_text(scalar(a[0])))),
    "UPPER": lambda a: to_text(scalar(a[0])).upper(),
    "LOWER": lambda a: to_text(scalar(a[0])).lower(),
    "TRIM": lambda a: " ".join(to_text(scalar(a[0])).split()),
    "CONCATENATE": lambda a: "".join(to_text(v) for v in _flat(a)),
    "CONCAT": lambda a: "".join(to_text(v) for v in _flat(a)),
    "ISBLANK": lambda a: scalar(a[0]) in (None, ""),
}


def _raise(text: str) -> Result:
    raise _FormulaError(_err(text))


def evaluate(formula: str, resolver: Resolver) -> Result:
    """Evaluate ``formula`` (with its leading ``=``); raises :class:`UnsupportedFormulaError`."""
    body = formula[1:] if formula.startswith("=") else formula
    try:
        value = scalar(_Parser(tokenize(body), resolver).parse())
    except _FormulaError as exc:
        return exc.error
    except (OverflowError, ZeroDivisionError):
        return _err("#NUM!")
    except (IndexError, TypeError, RecursionError) as exc:
        raise UnsupportedFormulaError(formula) from exc
    if isinstance(value, float):
        if not math.isfinite(value):
            return _err("#NUM!")
        return tidy_number(value)
    return value

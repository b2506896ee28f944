"""Hand-written recursive-descent parser (precedence climbing) for FEEL expressions and unary tests.

Hand-written rather than generated: FEEL's names-with-spaces and `in` unary tests need lookahead
that an LALR grammar handles poorly, and this keeps parsing a few microseconds per expression.
"""

from __future__ import annotations

from decimal import Decimal

from . import ast as A
from .errors import FeelError
from .lexer import Token, tokenize

KEYWORDS = frozenset(
    {
        "if",
        "then",
        "else",
        "for",
        "in",
        "return",
        "some",
        "every",
        "satisfies",
        "and",
        "or",
        "between",
        "instance",
        "of",
        "function",
        "true",
        "false",
        "null",
    }
)
_CLOSERS = frozenset({",", ")", "]", "}", "[", ":"})
_STOP_WORDS = frozenset({"then", "else", "and", "or", "return", "satisfies", "in", "between"})
_COMPARATORS = frozenset({"=", "!=", "<", "<=", ">", ">="})
# properties whose names contain a space
_MULTIWORD_PROPERTIES = {"time": "offset", "start": "included", "end": "included"}
_TYPE_WORDS = ("years and months duration", "days and time duration", "date and time")


def _describe(tok: Token) -> str:
    if tok.kind == "EOF":
        return "end of expression"
    if tok.kind == "STRING":
        return f'string "{tok.value}"'
    if tok.kind == "QNAME":
        return f"`{tok.value}`"
    return f"'{tok.value}'"


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    # --- token helpers ---------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else self.tokens[-1]

    def at(self, value: str) -> bool:
        t = self.tokens[self.i]
        return t.value == value and t.kind in ("OP", "NAME")

    def accept(self, value: str) -> bool:
        if self.at(value):
            self.i += 1
            return True
        return False

    def expect(self, value: str, what: str | None = None) -> Token:
        t = self.tok
        if not self.at(value):
            raise self.error(t, f"expected '{value}'" + (f" {what}" if what else "") + f" but found {_describe(t)}")
        self.i += 1
        return t

    def error(self, tok: Token, message: str | None = None) -> FeelError:
        return FeelError(message or f"unexpected {_describe(tok)}", self.text, tok.pos)

    # --- entry points ----------------------------------------------------------------------------
    def parse_expression(self) -> A.Node:
        node = self.expression()
        if self.tok.kind != "EOF":
            raise self.error(self.tok)
        return node

    def parse_unary_tests(self) -> A.Node:
        t = self.tok
        if t.kind == "EOF":
            return A.UAny(t.pos)
        if self.at("-") and self.peek().kind == "EOF":
            return A.UAny(t.pos)
        if t.kind == "NAME" and t.value == "not" and self.peek().value == "(" and self.peek().kind == "OP":
            save = self.i
            self.i += 2
            try:
                tests = self.test_list(")")
                self.expect(")")
                if self.tok.kind == "EOF":
                    return A.UNot(t.pos, tests)
            except FeelError:
                pass
            self.i = save
        tests = self.test_list(None)
        if self.tok.kind != "EOF":
            raise self.error(self.tok)
        return A.In(t.pos, A.InputValue(t.pos), tests, True)

    # --- unary tests -----------------------------------------------------------------------------
    def test_list(self, closer: str | None) -> list[A.Node]:
        tests = [self.unary_test()]
        while self.accept(","):
            tests.append(self.unary_test())
        return tests

    def unary_test(self) -> A.Node:
        t = self.tok
        if t.kind == "OP" and t.value in _COMPARATORS:
            self.i += 1
            return A.UCompare(t.pos, t.value, self.additive())
        return A.UExpr(t.pos, self.expression())

    # --- expressions -----------------------------------------------------------------------------
    def expression(self) -> A.Node:
        t = self.tok
        if t.kind == "NAME":
            v = t.value
            if v == "if":
                return self.if_expr()
            if v == "for":
                return self.for_expr()
            if v in ("some", "every") and self.peek().kind in ("NAME", "QNAME") and self.peek(2).value == "in":
                return self.quantified()
            if v == "function" and self.peek().value == "(":
                return self.function_def()
        return self.disjunction()

    def if_expr(self) -> A.Node:
        pos = self.tok.pos
        self.i += 1
        cond = self.expression()
        self.expect("then", "after the if condition")
        then = self.expression()
        self.expect("else", "after the then branch")
        return A.If(pos, cond, then, self.expression())

    def iterators(self) -> list[tuple[str, A.Node]]:
        its: list[tuple[str, A.Node]] = []
        while True:
            name = self.name_token("an iteration variable")
            self.expect("in")
            start = self.expression()
            if self.at(".."):
                p = self.tok.pos
                self.i += 1
                start = A.RangeLit(p, True, start, self.expression(), True)
            its.append((name, start))
            if not self.accept(","):
                return its

    def for_expr(self) -> A.Node:
        pos = self.tok.pos
        self.i += 1
        its = self.iterators()
        self.expect("return", "after the for iterators")
        return A.For(pos, its, self.expression())

    def quantified(self) -> A.Node:
        t = self.tok
        self.i += 1
        its = self.iterators()
        self.expect("satisfies")
        return A.Quantified(t.pos, t.value == "every", its, self.expression())

    def function_def(self) -> A.Node:
        pos = self.tok.pos
        self.i += 2
        params: list[str] = []
        if not self.at(")"):
            while True:
                params.append(self.name_token("a parameter name"))
                if self.accept(":"):
                    self.type_name()
                if not self.accept(","):
                    break
        self.expect(")")
        return A.FunctionDef(pos, params, self.expression())

    def name_token(self, what: str) -> str:
        t = self.tok
        if t.kind == "QNAME" or (t.kind == "NAME" and t.value not in KEYWORDS):
            self.i += 1
            return t.value
        raise self.error(t, f"expected {what} but found {_describe(t)}")

    def disjunction(self) -> A.Node:
        left = self.conjunction()
        while self.at("or"):
            p = self.tok.pos
            self.i += 1
            left = A.Or(p, left, self.conjunction())
        return left

    def conjunction(self) -> A.Node:
        left = self.comparison()
        while self.at("and"):
            p = self.tok.pos
            self.i += 1
            left = A.And(p, left, self.comparison())
        return left

    def comparison(self) -> A.Node:
        left = self.additive()
        while True:
            t = self.tok
            if t.kind == "OP" and t.value in _COMPARATORS:
                self.i += 1
                left = A.Compare(t.pos, t.value, left, self.additive())
            elif t.kind == "NAME" and t.value == "between":
                self.i += 1
                low = self.additive()
                self.expect("and", "in 'between ... and ...'")
                left = A.Between(t.pos, left, low, self.additive())
            elif t.kind == "NAME" and t.value == "in":
                self.i += 1
                left = A.In(t.pos, left, self.in_tests())
            elif t.kind == "NAME" and t.value == "instance" and self.peek().value == "of":
                self.i += 2
                left = A.InstanceOf(t.pos, left, self.type_name())
            else:
                return left

    def in_tests(self) -> list[A.Node]:
        t = self.tok
        if t.kind == "OP" and t.value in _COMPARATORS:
            self.i += 1
            return [A.UCompare(t.pos, t.value, self.additive())]
        if t.kind == "OP" and t.value == "(":
            # `x in (1, 2, < 0)`: a parenthesised list of tests; otherwise an ordinary expression
            save = self.i
            self.i += 1
            try:
                tests = self.test_list(")")
                self.expect(")")
                if len(tests) > 1 or isinstance(tests[0], A.UCompare):
                    return tests
            except FeelError:
                pass
            self.i = save
        return [A.UExpr(t.pos, self.additive())]

    def type_name(self) -> str:
        start = self.tok
        words: list[str] = []
        while self.tok.kind in ("NAME", "QNAME") and (
            not words or self.tok.value in ("and", "time", "months", "duration")
        ):
            words.append(self.tok.value)
            self.i += 1
            joined = " ".join(words)
            if joined in _TYPE_WORDS:
                break
            if not any(w.startswith(joined + " ") for w in _TYPE_WORDS):
                break
        if not words:
            raise self.error(start, f"expected a type name but found {_describe(start)}")
        name = " ".join(words)
        if self.at("<"):
            # list<number>, context<a: number>: keep the outer type, skip the parameters
            depth = 0
            while self.tok.kind != "EOF":
                if self.at("<"):
                    depth += 1
                elif self.at(">"):
                    depth -= 1
                    if depth == 0:
                        self.i += 1
                        break
                self.i += 1
        return name

    def additive(self) -> A.Node:
        left = self.multiplicative()
        while True:
            t = self.tok
            if t.kind == "OP" and t.value in ("+", "-"):
                self.i += 1
                left = A.Arith(t.pos, t.value, left, self.multiplicative())
            else:
                return left

    def multiplicative(self) -> A.Node:
        left = self.exponent()
        while True:
            t = self.tok
            if t.kind == "OP" and t.value in ("*", "/"):
                self.i += 1
                left = A.Arith(t.pos, t.value, left, self.exponent())
            else:
                return left

    def exponent(self) -> A.Node:
        left = self.unary()
        while self.at("**"):
            p = self.tok.pos
            self.i += 1
            left = A.Arith(p, "**", left, self.unary())
        return left

    def unary(self) -> A.Node:
        t = self.tok
        if t.kind == "OP" and t.value == "-":
            self.i += 1
            operand = self.unary()
            if isinstance(operand, A.Lit) and type(operand.value) in (int, Decimal):
                return A.Lit(t.pos, -operand.value)
            return A.Neg(t.pos, operand)
        return self.postfix()

    def postfix(self) -> A.Node:
        node = self.primary()
        while True:
            t = self.tok
            if t.kind != "OP":
                return node
            if t.value == ".":
                self.i += 1
                k = self.tok
                if k.kind in ("NAME", "QNAME", "STRING"):
                    self.i += 1
                    key = k.value
                    nxt = self.tok
                    if k.kind == "NAME" and _MULTIWORD_PROPERTIES.get(key) == nxt.value and nxt.kind == "NAME":
                        self.i += 1
                        key = f"{key} {nxt.value}"
                    node = A.Path(t.pos, node, key)
                else:
                    raise self.error(k, f"expected a name after '.' but found {_describe(k)}")
            elif t.value == "[":
                nxt = self.peek()
                if (
                    nxt.kind == "EOF"
                    or (nxt.kind == "OP" and nxt.value in _CLOSERS)
                    or (nxt.kind == "NAME" and nxt.value in _STOP_WORDS)
                ):
                    return node  # `[1..3[`: the bracket closes an open range, it is no filter
                self.i += 1
                cond = self.expression()
                self.expect("]", "to close the filter")
                node = A.Filter(t.pos, node, cond)
            elif t.value == "(":
                self.i += 1
                node = self.call_args(node, t.pos)
            else:
                return node

    def call_args(self, fn: A.Node, pos: int) -> A.Node:
        args: list[A.Node] = []
        named: list[tuple[str, A.Node]] | None = None
        if self.accept(")"):
            return A.Call(pos, fn, args, None)
        while True:
            # named argument: one or more names followed by ':'
            j = self.i
            words: list[str] = []
            while self.tokens[j].kind in ("NAME", "QNAME"):
                words.append(self.tokens[j].value)
                j += 1
            if words and self.tokens[j].kind == "OP" and self.tokens[j].value == ":":
                if args:
                    raise self.error(self.tok, "positional and named arguments cannot be mixed")
                self.i = j + 1
                if named is None:
                    named = []
                named.append((" ".join(words), self.expression()))
            else:
                if named is not None:
                    raise self.error(self.tok, "positional and named arguments cannot be mixed")
                args.append(self.expression())
            if self.accept(")"):
                return A.Call(pos, fn, args, named)
            if not self.accept(","):
                raise self.error(self.tok, f"expected ',' or ')' in the argument list but found {_describe(self.tok)}")

    def primary(self) -> A.Node:
        t = self.tok
        kind = t.kind
        if kind == "NUMBER":
            self.i += 1
            v = t.value
            return A.Lit(t.pos, int(v) if v.isdigit() else Decimal(v))
        if kind == "STRING":
            self.i += 1
            return A.Lit(t.pos, t.value)
        if kind == "QNAME":
            self.i += 1
            return A.Name(t.pos, t.value)
        if kind == "NAME":
            v = t.value
            if v in KEYWORDS:
                if v == "true" or v == "false":
                    self.i += 1
                    return A.Lit(t.pos, v == "true")
                if v == "null":
                    self.i += 1
                    return A.Lit(t.pos, None)
                if v in ("if", "for", "some", "every", "function"):
                    return self.expression()
                raise self.error(t)
            self.i += 1
            return A.Name(t.pos, v)
        if kind == "OP":
            v = t.value
            if v == "(":
                self.i += 1
                inner = self.expression()
                if self.at(".."):
                    return self.range_rest(t.pos, False, inner)
                self.expect(")", "to close '('")
                return inner
            if v == "[":
                self.i += 1
                if self.accept("]"):
                    return A.ListLit(t.pos, [])
                first = self.expression()
                if self.at(".."):
                    return self.range_rest(t.pos, True, first)
                items = [first]
                while self.accept(","):
                    items.append(self.expression())
                self.expect("]", "to close the list")
                return A.ListLit(t.pos, items)
            if v == "]":
                self.i += 1
                first = self.expression()
                if not self.at(".."):
                    raise self.error(self.tok, f"expected '..' in a range but found {_describe(self.tok)}")
                return self.range_rest(t.pos, False, first)
            if v == "{":
                return self.context()
            if v == "?":
                self.i += 1
                return A.InputValue(t.pos)
            if v == "@":
                self.i += 1
                s = self.tok
                if s.kind != "STRING":
                    raise self.error(s, f"expected a string after '@' but found {_describe(s)}")
                self.i += 1
                return A.Call(t.pos, A.Name(t.pos, "@"), [A.Lit(s.pos, s.value)], None)
            if v in ("<", "<=", ">", ">="):
                # `< 5` as a value: a half-open range, as in `x in < 5` written inside a list
                self.i += 1
                bound = self.additive()
                if v[0] == "<":
                    return A.RangeLit(t.pos, False, None, bound, v == "<=")
                return A.RangeLit(t.pos, v == ">=", bound, None, False)
        raise self.error(t)

    def range_rest(self, pos: int, start_incl: bool, start: A.Node) -> A.Node:
        self.i += 1  # '..'
        end = self.expression()
        t = self.tok
        if t.kind == "OP" and t.value == "]":
            end_incl = True
        elif t.kind == "OP" and t.value in (")", "["):
            end_incl = False
        else:
            raise self.error(t, f"expected ']', ')' or '[' to close the range but found {_describe(t)}")
        self.i += 1
        return A.RangeLit(pos, start_incl, start, end, end_incl)

    def context(self) -> A.Node:
        pos = self.tok.pos
        self.i += 1
        entries: list[tuple[str, A.Node]] = []
        if self.accept("}"):
            return A.ContextLit(pos, entries)
        while True:
            t = self.tok
            if t.kind in ("STRING", "QNAME"):
                self.i += 1
                key = t.value
            elif t.kind == "NAME":
                words = []
                while self.tok.kind == "NAME":
                    words.append(self.tok.value)
                    self.i += 1
                key = " ".join(words)
            else:
                raise self.error(t, f"expected a context key but found {_describe(t)}")
            self.expect(":", "after the context key")
            entries.append((key, self.expression()))
            if self.accept("}"):
                return A.ContextLit(pos, entries)
            if not self.accept(","):
                raise self.error(self.tok, f"expected ',' or '}}' in the context but found {_describe(self.tok)}")


def parse_expression(text: str) -> A.Node:
    return Parser(text).parse_expression()


def parse_unary_tests(text: str) -> A.Node:
    return Parser(text).parse_unary_tests()

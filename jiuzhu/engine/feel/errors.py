"""The one exception FEEL callers see."""

from __future__ import annotations


class FeelError(Exception):
    """A FEEL expression failed to parse or to evaluate.

    ``offset`` is 0-based into ``expression``; ``line`` and ``column`` are 1-based, so a process
    designer can find the spot in the Modeler's expression editor.
    """

    def __init__(self, message: str, expression: str = "", offset: int | None = None) -> None:
        self.reason = message
        self.expression = expression
        self.offset = offset
        if offset is not None:
            before = expression[:offset]
            self.line: int | None = before.count("\n") + 1
            self.column: int | None = offset - (before.rfind("\n") + 1) + 1
            where = f" at column {self.column}" if self.line == 1 else f" at line {self.line}, column {self.column}"
        else:
            self.line = self.column = None
            where = ""
        shown = expression if len(expression) <= 200 else expression[:197] + "..."
        super().__init__(f"{message}{where} in '{shown}'" if expression else message)


class EvalFailure(Exception):
    """Internal: a failure that must become an incident (e.g. ``assert``); wrapped into FeelError."""

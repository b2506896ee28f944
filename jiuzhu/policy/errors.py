"""Errors raised by the policy rules.

Every error carries a stable machine ``code`` (for workers, forms and tests) and a Chinese
``message`` that can be shown to caseworkers or quoted in a notice as it is.
"""

from __future__ import annotations


class PolicyError(ValueError):
    """A rule could not be applied to the given input."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

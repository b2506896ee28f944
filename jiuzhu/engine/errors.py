"""Engine errors carry the gRPC status code Zeebe would answer with."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    INTERNAL = "INTERNAL"


class EngineError(Exception):
    """A command the engine rejects; `code` maps one-to-one onto a gRPC status code."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(message: str) -> EngineError:
    return EngineError(Code.NOT_FOUND, message)


def invalid(message: str) -> EngineError:
    return EngineError(Code.INVALID_ARGUMENT, message)


def precondition(message: str) -> EngineError:
    return EngineError(Code.FAILED_PRECONDITION, message)

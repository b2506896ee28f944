"""FEEL (Friendly Enough Expression Language) as Zeebe's feel-scala evaluates it.

from jiuzhu.engine.feel import evaluate, unary_test, compile, to_json, FeelError, set_clock
"""

from .api import CompiledExpression, CompiledUnaryTests, compile, compile_unary_tests, evaluate, unary_test
from .clock import set_clock
from .errors import FeelError
from .serialize import to_json
from .values import FeelFunction, Range, YearsMonths

__all__ = [
    "CompiledExpression",
    "CompiledUnaryTests",
    "FeelError",
    "FeelFunction",
    "Range",
    "YearsMonths",
    "compile",
    "compile_unary_tests",
    "evaluate",
    "set_clock",
    "to_json",
    "unary_test",
]

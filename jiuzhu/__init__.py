"""jiuzhu (救助): social-assistance casework as BPMN on an embedded Zeebe-compatible engine."""

__version__ = "0.1.0"

"""OpenAPI schema post-processing."""

from __future__ import annotations

from typing import Any

# Integer ranges Django derives from the database backend (PositiveIntegerField is a 32-bit
# column on PostgreSQL, 64-bit on SQLite). They are storage limits, not API rules, and would
# make the committed schema differ by database; the API's own limits are declared explicitly.
_BACKEND_BOUNDS = {32767, 2147483647, 9223372036854775807}


def _strip(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer" and node.get("maximum") in _BACKEND_BOUNDS:
            del node["maximum"]
            if node.get("format") == "int64":
                del node["format"]
        for value in node.values():
            _strip(value)
    elif isinstance(node, list):
        for value in node:
            _strip(value)


def drop_backend_integer_bounds(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    _strip(result)
    return result

"""The case-funds and vehicles API (办案经费 / 办案车辆)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["funds"])

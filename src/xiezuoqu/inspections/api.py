"""The special-inspection API (专项检查 / 交叉互检)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["inspections"])

"""``{{ amount|money }}``: a Decimal amount of yuan as a county finance office writes it — thousands
separated, always two places (``29,380.00``, ``-500.00``). Anything that is not a number is shown as it is."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{amount:,.2f}"

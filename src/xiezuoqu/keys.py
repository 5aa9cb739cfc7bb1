"""Reading an object key from user input: plain ASCII digits that fit a 64-bit column, nothing else.

``str.isdigit`` alone lets through "²" or "١٢" (which ``int`` rejects or reads unexpectedly) and numbers
past a database key (an overflow error in SQLite, a data error in PostgreSQL) — each a server error
where the user should simply find nothing.
"""

from __future__ import annotations

MAX_KEY_DIGITS = 18  # < 2**63 - 1 whatever the digits


def is_key_text(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= MAX_KEY_DIGITS


def as_key(value: object) -> int | None:
    """The key ``value`` spells (an int, or a string of digits), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 2**63 else None
    text = str(value if value is not None else "").strip()
    return int(text) if is_key_text(text) else None

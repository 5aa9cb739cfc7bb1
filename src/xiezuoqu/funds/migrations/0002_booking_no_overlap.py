"""No vehicle and no driver booked twice for overlapping times — on PostgreSQL, in the database.

An exclusion constraint (btree_gist) over ``tstzrange(starts_at, ends_at)`` for each of the vehicle and
the driver, cancelled bookings excepted. Created only on PostgreSQL; on SQLite the service's locked
overlap check in the write transaction is the guard (see ``funds.services.book_vehicle``).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE funds_booking ADD CONSTRAINT funds_booking_vehicle_no_overlap EXCLUDE USING gist "
    "(vehicle_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (state <> 'cancelled')",
    "ALTER TABLE funds_booking ADD CONSTRAINT funds_booking_driver_no_overlap EXCLUDE USING gist "
    "(driver_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (state <> 'cancelled')",
]
DROP = [
    "ALTER TABLE funds_booking DROP CONSTRAINT IF EXISTS funds_booking_driver_no_overlap",
    "ALTER TABLE funds_booking DROP CONSTRAINT IF EXISTS funds_booking_vehicle_no_overlap",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]

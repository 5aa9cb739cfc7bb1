"""PostgreSQL maintenance from a test: statements that must run outside the test database (CREATE and DROP
DATABASE), on the server's ``postgres`` database with the test connection's credentials, in autocommit."""

from __future__ import annotations

from django.db import connection


def maintenance(*statements: str) -> None:
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"],
        port=params["PORT"],
        autocommit=True,
    ) as admin:
        for statement in statements:
            admin.execute(statement)  # type: ignore[arg-type]

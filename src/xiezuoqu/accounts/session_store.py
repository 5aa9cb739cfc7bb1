"""The database session store, with one difference: a database that cannot be reached is said so.

Django's store turns every DatabaseError of an update into ``UpdateError``, which SessionMiddleware
answers as a 400 "the session was deleted by a concurrent request". When the connection was ended or
the server is down, that is false and the user cannot act on it; the error is passed on as it is, and
``handler500`` answers it as the Chinese 503 of every other database outage.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            cause = exc.__context__
            if isinstance(cause, OperationalError | InterfaceError):
                raise cause from None
            raise

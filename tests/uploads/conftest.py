"""The public site's fixtures (a reporter's browser, a filed report) for the upload corpus."""

from tests.public.conftest import filed, reporter  # noqa: F401

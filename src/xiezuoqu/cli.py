"""The ``xiezuoqu`` console command: Django's management commands with our settings.

xiezuoqu migrate            xiezuoqu audit verify
xiezuoqu load_demo          xiezuoqu runserver 127.0.0.1:8000
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuoqu.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    execute_from_command_line(["xiezuoqu", *args[1:]])


if __name__ == "__main__":
    main()

"""``python -m teamquota.web.manage <command>``: Django's manage.py for this project."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamquota.web.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(argv or sys.argv)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    from django.core.management import execute_from_command_line

    from portal.core.commandline import refuse_without_database

    refuse_without_database(sys.argv)  # nothing configured, no `make run`: say how to start
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

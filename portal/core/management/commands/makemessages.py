"""makemessages without fuzzy matching: a new string must be translated, never guessed from a
similar one (a guessed translation with different placeholders breaks compilemessages)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

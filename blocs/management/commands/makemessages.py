from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages without fuzzy matching: a new string starts empty instead of borrowing a
    neighbour's translation ("Chấm điểm" is not "Mở chấm điểm"), so the catalogue tests name it."""

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

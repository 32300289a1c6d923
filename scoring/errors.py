from blocs.errors import BlocError


class ScoringError(BlocError):
    """A rule of the campaign or of scoring was not met; the message is shown to the user as is."""


class ConflictError(ScoringError):
    """Someone else changed the same thing first; nothing was saved and the user should reload."""

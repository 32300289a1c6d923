class BlocError(Exception):
    """A rule of the bloc's work was not met; ``message`` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

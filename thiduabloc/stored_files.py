"""Files written by a service live and die with its transaction.

A service that stores a file (an issued PDF, an uploaded evidence) writes it before its transaction commits. If
the commit fails (the connection is lost, the database refuses), the rows roll back but the file would stay:
an orphan on disk that also takes the clean name from the retry. `atomic_with_files` is `transaction.atomic`
plus the deletion of every file the service registered with `keep_only_on_commit` when its transaction does not
commit. It is meant for the outermost transaction (a view calling the service); inside a caller's transaction
the caller's rollback is out of its sight.
"""

import contextvars
import functools
import logging

from django.db import transaction

logger = logging.getLogger(__name__)
_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("stored_files_written", default=None)


def keep_only_on_commit(field_file) -> None:
    """Register a file just saved by the running service: it is deleted if the transaction does not commit."""
    written = _written.get()
    if written is None:
        raise RuntimeError("keep_only_on_commit() called outside an @atomic_with_files service")
    written.append((field_file.storage, field_file.name))


def atomic_with_files(service):
    @functools.wraps(service)
    def run(*args, **kwargs):
        written: list = []
        token = _written.set(written)
        try:
            with transaction.atomic():
                return service(*args, **kwargs)
        except BaseException:
            for storage, name in written:
                try:
                    storage.delete(name)
                except OSError:
                    logger.exception("Could not delete %s after a failed transaction", name)
            raise
        finally:
            _written.reset(token)

    return run

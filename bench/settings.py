"""The production settings, plus the bench's timing middleware and its URL configuration (the floor view)."""

from thiduabloc.settings import *  # noqa: F403
from thiduabloc.settings import MIDDLEWARE

# First, so that its clock and query count include every other middleware (sessions, auth, CSRF, CSP…).
MIDDLEWARE = ["bench.middleware.ServerTimingMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "bench.urls"

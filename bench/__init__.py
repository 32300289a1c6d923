"""`make bench`: a national-scale dataset in PostgreSQL, then the main pages measured under gunicorn.

dataset.py builds the data, run.py measures and writes docs/BENCHMARKS.md; settings.py and urls.py add the
server timing and the one-query floor view without touching the production URLs.
"""

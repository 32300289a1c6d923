"""The load run of `make reliability`: the app under gunicorn with PostgreSQL (see tests/load/run.py)."""

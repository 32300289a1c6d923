import os

from django.core.wsgi import get_wsgi_application

from thiduabloc import gc_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thiduabloc.settings")

# The server's entry: its warm objects leave the garbage collector's full collections (gc_freeze.py).
application = gc_freeze.wrap(get_wsgi_application())

from django.templatetags.static import static
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages that do not name an icon (the admin)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        # Resolved per request: the hashed name exists only once collectstatic has run.
        return static("favicon.svg")

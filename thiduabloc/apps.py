from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class LoginThrottleConfig(AxesAppConfig):
    """django-axes under a name the admin can show in Vietnamese (it has none of its own)."""

    default = False
    verbose_name = _("Chống dò mật khẩu")

"""django-axes under a Chinese section name in the admin (INSTALLED_APPS names this class, not "axes")."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class PortalAxesConfig(AxesAppConfig):
    verbose_name = _("Login protection")

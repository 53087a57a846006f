from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BureausConfig(AppConfig):
    name = "bureaus"
    verbose_name = _("被巡察单位")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectifyConfig(AppConfig):
    name = "rectify"
    verbose_name = _("巡察整改")

    def ready(self) -> None:
        from rectify.background import job_tasks  # noqa: F401 -- the job kinds and their task
        from rectify.services import api_tokens, public_cache, search_index

        api_tokens.connect_signals()  # a password change revokes the user's API tokens
        search_index.connect_signals()  # a saved task, measure or entry refreshes its search row
        public_cache.connect_signals()  # a party group renamed changes the public list

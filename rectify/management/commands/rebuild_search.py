"""Build the search's rows again from the records (``rectify.services.search_index``): after
rows were written without the services (``bulk_create``), or to be sure. The site keeps
searching the old rows until the new ones are committed (one transaction)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from rectify.services.search_index import rebuild


class Command(BaseCommand):
    help = "重建检索数据：整改任务（问题、措施、进展、成效）和已发布通报的检索文本。"

    def handle(self, *args, **options):
        verbosity = options.get("verbosity", 1)

        def progress(done: int, total: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {done}/{total}")

        counts = rebuild(progress)
        self.stdout.write(f"rebuild_search：已重建 {counts['tasks']} 项整改任务、"
                          f"{counts['publications']} 行已发布通报的检索文本。")

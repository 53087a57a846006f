"""The Excel ledger (整改台账): export any selection of tasks, import edits back.

``columns`` declares the ledger's columns once; ``export`` writes a workbook from a task
queryset (openpyxl write-only, streaming); ``importer`` checks an uploaded workbook, plans the
changes cell by cell and applies them all or nothing through the services; ``views`` and
``urls`` serve ``/ledger/``; the management command ``export_ledger`` writes the same file.
"""

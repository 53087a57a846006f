"""The Excel ledger (整改台账): export any selection of tasks, import edits back.

``ledger_columns`` declares the ledger's columns once (the current layout, and the previous
one that the import still reads); ``ledger_export`` writes a print-ready workbook from a task
queryset (openpyxl write-only, streaming). Importing an edited ledger takes four steps:
``ledger_upload`` checks (and stores) the uploaded file, ``ledger_sheet`` reads its sheet into
rows (telling the layout from the header), ``ledger_plan`` compares the rows with the records
and plans the changes cell by cell (the preview), ``ledger_apply`` applies a plan all or
nothing through the services.
``ledger_views`` and ``ledger_urls`` serve ``/ledger/``; the management command
``export_ledger`` writes the same file.
"""

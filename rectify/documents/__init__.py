"""Official documents (公文) laid out per GB/T 9704-2012: the document model and its renderers.

``gongwen`` holds the model (title, headings, paragraphs, tables, signature) and the
standard's constants; ``gongwen_docx`` renders it as Word, ``gongwen_html`` as a
self-contained HTML page with CSS paged media, which ``gongwen_pdf`` prints to PDF with
Debian's Chromium. ``notice_document`` maps a published notice's frozen content onto the
model. Below the surfaces, beside the notice importer: surfaces import it; it imports the
services, rules and models only.
"""

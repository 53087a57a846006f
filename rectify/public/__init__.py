"""Public notice pages (通报): the list, a page per published version, feed and open data.

Everything here reads the frozen content of ``rectify.Publication``; nothing reads the live
records. Access goes through ``rectify.public.public_access``.
"""

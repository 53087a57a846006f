"""The REST API at ``/api/`` (Django REST framework).

``api_permissions`` applies the one rule of ``rectify.rules.permissions``; ``api_base`` holds
what every view shares (pagination, the body size limit, versions, error shapes);
``record_serializers`` what the serializers share (strict fields, validation through the
models' ``full_clean()``, writes through ``rectify.services``, the history and conflict
shapes) and ``record_viewset`` what the viewsets share (the one rule, versions with ETag,
If-Match and ``version``, history). Each resource has its ``*_serializers`` and ``*_views``:
``party_group``, ``round``, ``category``, ``task`` (with its actions: status, sign-off,
proposal, review, reopen, reviews, progress entries, evidence, measures), ``measure``,
``evidence`` (downloads), ``notice``, ``publication``; ``token_views`` gives scripts their
token; ``api_urls`` is the router and its root (namespace ``api``).
"""

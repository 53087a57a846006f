"""The REST API at ``/api/`` (Django REST framework).

``api_permissions`` applies the one rule of ``rectify.rules.permissions``;
``api_serializers`` validate through
the models' ``full_clean()`` and write through ``rectify.services``; ``views`` are the viewsets,
with versions (ETag, If-Match, ``version``) and history; ``base`` holds what they share
(pagination, the body size limit, error shapes); ``urls`` is the router (namespace ``api``).
"""

"""Service functions: every state change goes through here, in one transaction, with history.

Views, API hooks, admin ``save_model`` and management commands call these; none of them
writes history itself.
"""

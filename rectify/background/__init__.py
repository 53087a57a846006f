"""Background jobs, the layer above the surfaces: the Celery app, the job kinds that need a
surface to build them (the ledger export), and the pages where a user follows a job and
downloads its result (/jobs/). The jobs themselves — submit, claim, progress, result, sweep —
are ``rectify.services.jobs``."""

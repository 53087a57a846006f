"""Background jobs, the layer above the surfaces: the Celery app and Celery beat's schedule,
the job kinds (those a surface builds — the ledger's export, preview and apply, a round's
documents, a notice's import — and the periodic work: reminders, statistics snapshots), and
the pages where a user follows a job and downloads its result (/jobs/, /jobs/periodic/). The
jobs themselves — submit, claim, progress, outcome, result, sweep — are
``rectify.services.jobs``."""

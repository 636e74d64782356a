"""The worker's command on each task backend, as production runs it (README, "Running
in production"); the benchmark and the worker's tests start these, adding only their
own polling options. No Django imports: read before Django is set up."""

WORKER_COMMAND = {
    "database": ("db_worker",),
    # RQ's default worker forks a process per job, about four times slower here.
    "rq": (
        "rqworker",
        "--job-class",
        "django_tasks_rq.Job",
        "--worker-class",
        "rq.worker.SimpleWorker",
        "--with-scheduler",
        "default",
    ),
}

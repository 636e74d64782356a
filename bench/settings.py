"""Settings for the benchmark server only: the project's settings plus a trivial view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

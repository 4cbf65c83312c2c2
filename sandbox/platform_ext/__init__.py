"""The sandbox's extensions of moto 5.2.5: Glue, EMR and Redshift Data that behave like AWS,
and an MWAA API backed by the sandbox's Airflow (mwaa.py).

    import platform_ext
    platform_ext.install()   # before the moto server answers its first request
    platform_ext.seed_platform(endpoint_url, project_dir, note=print)   # Glue + Redshift (seeding)

`install()` patches moto's models and responses in this process (idempotent) and adds the
control endpoint /platform-api/ (failure injection and durations, see http_api) to moto's
server application, and answers MWAA's API paths (mwaa.py) before moto does. One module per
service: glue_jobs, glue_crawlers, emr_steps, redshift_data (+ sql_engine, sql_dialect,
sql_copy), mwaa;
Glue job runs and EMR steps run their real scripts with pyspark (spark_runs, lake_mirror).
moto's own POST /moto-api/reset also forgets the injections, durations and running simulations
(and kills the scripts still running); `shutdown()` kills them when the emulator stops.
"""

from __future__ import annotations

from typing import Any

from moto.moto_api._internal.models import MotoAPIBackend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from . import (
    clock,
    control,
    emr_steps,
    glue_crawlers,
    glue_jobs,
    http_api,
    mwaa,
    redshift_data,
    spark_runs,
)
from .seeding import seed_platform

__all__ = ["install", "seed_platform", "shutdown"]

_installed = False


def install() -> None:
    """Patch moto in-process. Safe to call more than once."""
    global _installed
    with control.LOCK:
        if _installed:
            return
        glue_jobs.install()
        glue_crawlers.install()
        emr_steps.install()
        redshift_data.install()
        _serve_control_api()
        _reset_with_moto()
        _installed = True


def _serve_control_api() -> None:
    moto_call = DomainDispatcherApplication.__call__

    def call(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Any):
        if http_api.handles(environ.get("PATH_INFO", "")):
            return http_api.application(environ, start_response)
        if mwaa.handles(environ):
            return mwaa.application(environ, start_response)
        return moto_call(self, environ, start_response)

    DomainDispatcherApplication.__call__ = call


def _reset_with_moto() -> None:
    moto_reset = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        with control.LOCK:
            clock.forget_all()
            spark_runs.shutdown()
            control.reset()
            moto_reset(self)

    MotoAPIBackend.reset = reset


def shutdown() -> None:
    """Kills the job scripts still running (the emulator is stopping)."""
    spark_runs.shutdown()

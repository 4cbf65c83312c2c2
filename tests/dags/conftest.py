"""Fixtures for the DAG tests: the real Airflow DagBag over dags/, in a throw-away AIRFLOW_HOME.

Airflow reads its configuration once, on first import, so the environment is set here at
conftest import time (before any test module imports airflow), not inside a fixture.
Parsing the DAG folder needs no metadata database (the DAG reads Variables only through Jinja
templates, at run time); the home is removed at the end of the session.

These tests need Airflow: they run in .venv/airflow2 and .venv/airflow3 (scripts/checks/dags).
A pytest run from another venv (e.g. `pytest tests/`) skips collecting this folder instead of
failing on `import airflow`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DAGS_FOLDER = REPO_ROOT / "dags"

if importlib.util.find_spec("airflow") is None:
    collect_ignore_glob = ["*"]

AIRFLOW_HOME = tempfile.mkdtemp(prefix="airflow-home-")
os.environ["AIRFLOW_HOME"] = AIRFLOW_HOME
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_FOLDER)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{AIRFLOW_HOME}/airflow.db"
# Airflow puts the DAG folder on sys.path, so the DAG imports its helper module (emr_idempotent)
# by name; the tests import it the same way.
sys.path.insert(0, str(DAGS_FOLDER))


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def parsed_dag_folder():
    """(DagBag over dags/, warnings raised from files in dags/ while it parsed them)."""
    try:  # Airflow 3
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bag = DagBag(dag_folder=str(DAGS_FOLDER))
    from_dags = [
        f"{w.filename}:{w.lineno}: {w.message}"
        for w in caught
        if w.filename.startswith(str(DAGS_FOLDER))
    ]
    return bag, from_dags


@pytest.fixture(scope="session")
def dag_bag(parsed_dag_folder):
    return parsed_dag_folder[0]


@pytest.fixture(scope="session")
def parse_warnings(parsed_dag_folder):
    return parsed_dag_folder[1]


@pytest.fixture(scope="session")
def dag(dag_bag):
    return dag_bag.dags["prepare_data_nyc"]

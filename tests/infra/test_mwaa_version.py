"""The Airflow version infra/ deploys on MWAA is the one dags/requirements.txt is pinned for."""

import re

import pytest
from infra_tree import ENVIRONMENTS, ENVS, MODULES, REPO, variables


def requirements_airflow_version() -> str:
    header = (REPO / "dags" / "requirements.txt").read_text(encoding="utf-8")
    match = re.search(r"Apache Airflow (\d+\.\d+\.\d+)", header)
    assert match, "dags/requirements.txt names the MWAA Airflow version in its header"
    return match.group(1)


@pytest.mark.parametrize("directory", [MODULES / "mwaa", *(ENVS / e for e in ENVIRONMENTS)])
def test_default_airflow_version_matches_the_dag_requirements(directory):
    default = variables(directory)["airflow_version"].get("default")
    assert default == requirements_airflow_version(), directory

"""The Airflow version infra/ deploys on MWAA is the one dags/requirements.txt is pinned for, and
the MWAA pins (requirements/mwaa/) agree with the venvs the DAG is tested in."""

import re

import pytest
from infra_tree import ENVIRONMENTS, ENVS, MODULES, REPO, variables

MWAA = REPO / "requirements" / "mwaa"
# Airflow versions Amazon MWAA offers (2.7.2 is the oldest, 3.0.6 the newest).
MWAA_VERSIONS = ("2.7.2", "2.8.1", "2.9.2", "2.10.3", "2.11.0", "3.0.6")
# The DAG tests run on the oldest and the newest (scripts/checks/dags).
TESTED = ("2.7.2", "3.0.6")


def requirements_airflow_version() -> str:
    header = (REPO / "dags" / "requirements.txt").read_text(encoding="utf-8")
    match = re.search(r"Apache Airflow (\d+\.\d+\.\d+)", header)
    assert match, "dags/requirements.txt names the MWAA Airflow version in its header"
    return match.group(1)


def lines(path) -> list[str]:
    """The requirement lines of a file, without comments and blank lines."""
    text = path.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def pins(path) -> dict[str, str]:
    found = (re.fullmatch(r"([\w.-]+)==([\w.]+)", line) for line in lines(path))
    return {m[1].lower(): m[2] for m in found if m}


@pytest.mark.parametrize("directory", [MODULES / "mwaa", *(ENVS / e for e in ENVIRONMENTS)])
def test_default_airflow_version_matches_the_dag_requirements(directory):
    default = variables(directory)["airflow_version"].get("default")
    assert default == requirements_airflow_version(), directory


def test_deployed_requirements_are_those_of_the_deployed_version():
    version = requirements_airflow_version()
    assert lines(REPO / "dags" / "requirements.txt") == lines(MWAA / f"airflow-{version}.txt")


def test_every_mwaa_version_has_a_requirements_file_with_its_constraints():
    assert sorted(p.name for p in MWAA.glob("*.txt")) == sorted(
        f"airflow-{v}.txt" for v in MWAA_VERSIONS
    )
    for version in MWAA_VERSIONS:
        constraint, *requirements = lines(MWAA / f"airflow-{version}.txt")
        assert re.fullmatch(
            rf'--constraint "https://raw\.githubusercontent\.com/apache/airflow/'
            rf'constraints-{re.escape(version)}/constraints-3\.1[12]\.txt"',
            constraint,
        ), version
        assert [r.split("==")[0] for r in requirements] == ["apache-airflow-providers-amazon"]


@pytest.mark.parametrize("version", TESTED)
def test_the_dag_is_tested_with_the_provider_mwaa_installs(version):
    mwaa = pins(MWAA / f"airflow-{version}.txt")
    tested = pins(REPO / "requirements" / f"mwaa-{version}.txt")
    frozen = pins(REPO / "requirements" / "constraints" / f"mwaa-{version}.txt")
    provider = "apache-airflow-providers-amazon"
    assert tested["apache-airflow"] == frozen["apache-airflow"] == version
    assert tested[provider] == frozen[provider] == mwaa[provider]

"""The naming convention, computed by real Terraform (scripts/terraform, 1.15.5 from PyPI).
The naming module needs no provider, so it can be applied here with a local state."""

import json
import os
import subprocess

import pytest
from infra_tree import MODULES, REPO

TERRAFORM = REPO / "scripts" / "terraform"

EXPECTED_DEV_NAMES = {
    "prefix": "nyctaxi-dev",
    "datalake_bucket": "nyctaxi-dev-datalake",
    "mwaa_bucket": "nyctaxi-dev-mwaa",
    "emr_logs_bucket": "nyctaxi-dev-emr-logs",
    "glue_database": "nyctaxi_dev",
    "glue_crawler": "nyctaxi-dev-raw-crawler",
    "glue_job": "nyctaxi-dev-process-to-staging",
    "redshift_cluster": "nyctaxi-dev-warehouse",
    "redshift_database": "analytics",
    "mwaa_environment": "nyctaxi-dev-airflow",
}


@pytest.fixture
def terraform(tmp_path):
    """Runs scripts/terraform in a fresh root module that calls modules/naming."""
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text("")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1"}
    root = tmp_path / "root"
    root.mkdir()

    def run(*args, project="nyctaxi", environment="dev"):
        (root / "main.tf").write_text(
            f'module "naming" {{\n  source  = "{MODULES / "naming"}"\n'
            f'  project = "{project}"\n  env     = "{environment}"\n}}\n'
            'output "names" {\n  value = module.naming\n}\n'
        )
        return subprocess.run(
            [str(TERRAFORM), f"-chdir={root}", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    init = run("init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    return run


def test_dev_names_follow_the_convention(terraform):
    apply = terraform("apply", "-auto-approve", "-input=false", "-no-color")
    assert apply.returncode == 0, apply.stdout + apply.stderr
    output = terraform("output", "-json", "names")
    assert output.returncode == 0, output.stderr
    assert json.loads(output.stdout) == EXPECTED_DEV_NAMES


def test_invalid_environment_name_is_refused(terraform):
    plan = terraform("plan", "-input=false", "-no-color", environment="Prod_1")
    assert plan.returncode == 1
    assert "env must be lower-case letters, digits and hyphens" in plan.stdout + plan.stderr

"""Every .tf file parses as HCL, and the tree has the expected shape."""

import pytest
from infra_tree import ENVIRONMENTS, ENVS, MODULES, PLATFORM_MODULES, parse, tf_files


def test_tree_has_terraform_files():
    # 10 module folders and 2 environments, each with several files
    assert len(tf_files()) >= 40


@pytest.mark.parametrize("path", tf_files(), ids=lambda p: str(p.relative_to(p.parents[2])))
def test_file_parses(path):
    document = parse(path)
    assert document, f"{path} parsed to nothing"


@pytest.mark.parametrize("name", PLATFORM_MODULES)
def test_platform_module_has_standard_files(name):
    present = {p.name for p in (MODULES / name).glob("*.tf")}
    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf"} <= present


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_has_standard_files(env):
    present = {p.name for p in (ENVS / env).iterdir()}
    expected = {"main.tf", "variables.tf", "outputs.tf", "versions.tf"}
    expected |= {"terraform.tfvars.example", "backend.hcl.example"}
    assert expected <= present

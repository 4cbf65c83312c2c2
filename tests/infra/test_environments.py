"""Each environment composes the seven platform modules, keeps its state in the S3 backend
(partial configuration), takes its region from a variable and uploads files that exist."""

import re

import pytest
from infra_tree import (
    ENVIRONMENTS,
    ENVS,
    PLATFORM_MODULES,
    REPO,
    dir_blocks,
    first,
    module_source_dir,
    outputs,
    parse,
    variables,
)

FILE_INPUTS = ("script_source", "dag_source", "requirements_source")


def called_modules(env):
    return {module_source_dir(c).name for c in dir_blocks(ENVS / env, "module")}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_composes_all_platform_modules(env):
    missing = set(PLATFORM_MODULES) - called_modules(env)
    assert not missing, f"{env} does not compose {sorted(missing)}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_backend_is_s3_with_partial_configuration(env):
    terraform = [t for f in (ENVS / env).glob("*.tf") for t in parse(f).get("terraform", [])]
    backends = [b for t in terraform for b in t.get("backend", [])]
    assert len(backends) == 1, f"{env}: {len(backends)} backend blocks"
    ((name, settings),) = backends[0].items()
    assert name.strip('"') == "s3"
    assert not settings, f"{env}: backend settings belong in backend.hcl, found {settings}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_backend_example_has_lock_table_and_own_key(env):
    config = parse(ENVS / env / "backend.hcl.example")
    assert {"bucket", "key", "region", "dynamodb_table", "encrypt"} <= set(config)
    assert f"/{env}/" in config["key"], "each environment needs its own state key"
    assert config["encrypt"] is True


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_region_is_a_required_variable(env):
    declared = variables(ENVS / env)
    assert "default" not in declared["region"], "region must be chosen per deployment"
    providers = [p for f in (ENVS / env).glob("*.tf") for p in parse(f).get("provider", [])]
    aws = [first(p["aws"]) for p in providers if "aws" in p]
    assert len(aws) == 1 and aws[0]["region"] == "${var.region}"


def test_environments_declare_the_same_variables():
    names = [set(variables(ENVS / env)) for env in ENVIRONMENTS]
    assert all(n == names[0] for n in names), "prod and dev must stay interchangeable"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_name_defaults_to_its_folder(env):
    assert variables(ENVS / env)["env"]["default"] == env
    assert variables(ENVS / env)["project"]["default"] == "nyctaxi"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_tfvars_example_sets_only_declared_variables(env):
    path = ENVS / env / "terraform.tfvars.example"
    example = parse(path)
    assert "region" in example
    # the optional settings are shown commented out: `# name = value`
    commented = set(re.findall(r"^# *(\w+) += ", path.read_text(encoding="utf-8"), re.M))
    assert len(commented) >= 5
    assert set(example) | commented <= set(variables(ENVS / env))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_uploaded_files_exist(env):
    """The Glue and EMR scripts, the DAG and its requirements: plan fails if one is missing."""
    locals_ = {
        k: v
        for f in (ENVS / env).glob("*.tf")
        for e in parse(f).get("locals", [])
        for k, v in e.items()
    }
    assert locals_["repo_root"] == "${path.root}/../../.."
    checked = 0
    for call in dir_blocks(ENVS / env, "module"):
        for name in FILE_INPUTS:
            if name in call.body:
                relative = re.fullmatch(r"\$\{local\.repo_root\}/(.+)", call.body[name]).group(1)
                assert (REPO / relative).is_file(), f"{call.address}: {relative} missing"
                checked += 1
    assert checked == 4


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_airflow_variables_output_covers_what_the_dag_reads(env):
    """Every `{{ var.value.NAME }}` in dags/ is in the airflow_variables output."""
    output = outputs(ENVS / env)["airflow_variables"]["value"]
    read = {
        name
        for path in (REPO / "dags").rglob("*")
        if path.suffix in (".py", ".json")
        for name in re.findall(r"var\.value\.(\w+)", path.read_text(encoding="utf-8"))
    }
    assert read, "the DAG reads no Variable?"
    assert read <= set(output), f"not output by Terraform: {sorted(read - set(output))}"

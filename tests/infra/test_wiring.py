"""What `terraform validate` would check, done statically (no AWS provider can be installed
here): every module call passes only declared inputs and all required ones, every reference to
var.*, local.* and module.*.* resolves, every variable is used."""

import re
from pathlib import Path

import pytest
from infra_tree import ENVS, MODULES, dir_blocks, module_source_dir, outputs, parse, strings
from infra_tree import variables as declared_variables

META_ARGUMENTS = {"source", "version", "providers", "depends_on", "count", "for_each"}
DIRECTORIES = sorted(p for p in [*MODULES.iterdir(), *ENVS.iterdir()] if p.is_dir())


def texts(directory: Path) -> list[str]:
    return [s for f in sorted(directory.glob("*.tf")) for s in strings(parse(f))]


def references(directory: Path, pattern: str) -> set:
    return {m for text in texts(directory) for m in re.findall(pattern, text)}


def module_calls() -> list:
    return [c for d in DIRECTORIES for c in dir_blocks(d, "module")]


def test_directories_found():
    assert len(DIRECTORIES) >= 12
    assert len(module_calls()) >= 20


@pytest.mark.parametrize("call", module_calls(), ids=lambda c: c.address)
def test_module_call_matches_module_variables(call):
    target = module_source_dir(call)
    assert target.is_dir(), f"{call.address}: no module at {target}"
    wanted = declared_variables(target)
    given = set(call.body) - META_ARGUMENTS
    unknown = given - set(wanted)
    assert not unknown, f"{call.address}: {target.name} has no variables {sorted(unknown)}"
    missing = {name for name, body in wanted.items() if "default" not in body} - given
    assert not missing, f"{call.address}: required variables not passed {sorted(missing)}"


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda d: d.name)
def test_module_output_references_resolve(directory):
    calls = {c.labels[0]: module_source_dir(c) for c in dir_blocks(directory, "module")}
    for name, output in references(directory, r"\bmodule\.(\w+)\.(\w+)"):
        assert name in calls, f"{directory.name}: module.{name} is not called here"
        assert output in outputs(calls[name]), f"{directory.name}: module.{name}.{output} missing"


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda d: d.name)
def test_variables_are_declared_and_used(directory):
    declared = set(declared_variables(directory))
    used = references(directory, r"\bvar\.(\w+)")
    assert used <= declared, f"{directory.name}: undeclared {sorted(used - declared)}"
    assert declared <= used, f"{directory.name}: unused variables {sorted(declared - used)}"


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda d: d.name)
def test_locals_are_defined(directory):
    defined = {
        name
        for f in directory.glob("*.tf")
        for entry in parse(f).get("locals", [])
        for name in entry
    }
    used = references(directory, r"\blocal\.(\w+)")
    assert used <= defined, f"{directory.name}: undefined locals {sorted(used - defined)}"


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda d: d.name)
def test_variables_and_outputs_are_described(directory):
    for kind in ("variable", "output"):
        for block in dir_blocks(directory, kind):
            assert block.body.get("description"), f"{block.address}: no description"

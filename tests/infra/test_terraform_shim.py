"""scripts/terraform behaves like the terraform CLI: version, exit codes, streamed output, and
Ctrl-C (SIGINT) stopping a running apply. Only built-in providers are used (terraform_data,
local-exec), so nothing is downloaded."""

import os
import signal
import subprocess
import time

import pytest
from infra_tree import REPO

TERRAFORM = REPO / "scripts" / "terraform"


@pytest.fixture
def workdir(tmp_path):
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text("")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1"}
    root = tmp_path / "root"
    root.mkdir()
    return root, env


def terraform(workdir, *args, **kwargs):
    root, env = workdir
    return subprocess.run(
        [str(TERRAFORM), f"-chdir={root}", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_version_is_the_pinned_terraform(workdir):
    result = terraform(workdir, "version")
    assert result.returncode == 0
    assert result.stdout.startswith("Terraform v1.15.5")


def test_fmt_check_exit_code_names_unformatted_file(workdir):
    root, _ = workdir
    (root / "main.tf").write_text("locals {\n  a = 1\n    bb = 2\n}\n")
    result = terraform(workdir, "fmt", "-check")
    assert result.returncode == 3
    assert result.stdout.strip() == "main.tf"


def test_sigint_stops_a_running_apply(workdir):
    root, env = workdir
    (root / "main.tf").write_text(
        'resource "terraform_data" "slow" {\n'
        '  provisioner "local-exec" {\n    command = "sleep 60"\n  }\n}\n'
    )
    assert terraform(workdir, "init", "-input=false", "-no-color").returncode == 0
    apply = subprocess.Popen(
        [str(TERRAFORM), f"-chdir={root}", "apply", "-auto-approve", "-no-color", "-json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        for line in apply.stdout:  # streamed as it happens, one JSON object per line
            lines.append(line)
            if '"type":"provision_start"' in line:
                break
        assert lines and '"type":"version"' in lines[0]
        started = time.monotonic()
        apply.send_signal(signal.SIGINT)
        rest = apply.communicate(timeout=30)[0]
        assert time.monotonic() - started < 20, "the 60 s provisioner was not interrupted"
        assert apply.returncode == 1
        assert "Interrupt received" in rest and "Stopping operation" in rest
    finally:
        if apply.poll() is None:
            apply.kill()

"""No account id, region or platform name is written into the Terraform code: accounts and
regions come from the provider (data sources), names from the naming module's variables."""

import re

import pytest
from infra_tree import ENVS, MODULES, tf_files

ACCOUNT_ID = re.compile(r"(?<![\d.])\d{12}(?![\d.])")
_REGION = (
    r"\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-"
    r"(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d"
)
REGION = re.compile(_REGION + r"\b")
AVAILABILITY_ZONE = re.compile(_REGION + r"[a-z]\b")


def code(path):
    """The file without comments, so an example in a comment does not count."""
    text = path.read_text(encoding="utf-8")
    return "\n".join(re.sub(r"(^|\s)(#|//).*$", "", line) for line in text.splitlines())


def terraform_code_files():
    return [p for p in tf_files() if MODULES in p.parents or ENVS in p.parents]


def test_patterns_match_what_they_should():
    assert ACCOUNT_ID.search('owner = "123456789012"')
    assert REGION.search('region = "eu-west-1"') and REGION.search("us-gov-west-1")
    assert AVAILABILITY_ZONE.search('"us-east-1a"')
    assert not ACCOUNT_ID.search("10.20.0.0/16") and not REGION.search("aws:kms")


@pytest.mark.parametrize("path", terraform_code_files(), ids=lambda p: p.name)
def test_no_account_id(path):
    assert not ACCOUNT_ID.findall(code(path))


@pytest.mark.parametrize("path", terraform_code_files(), ids=lambda p: p.name)
def test_no_region_or_zone(path):
    assert not REGION.findall(code(path)) and not AVAILABILITY_ZONE.findall(code(path))


@pytest.mark.parametrize("path", terraform_code_files(), ids=lambda p: p.name)
def test_no_literal_aws_partition_in_arns(path):
    """ARNs use data.aws_partition (aws-cn, aws-us-gov work too)."""
    assert '"arn:aws:' not in code(path)


def test_project_name_only_as_a_default():
    """ "nyctaxi" is the default of the envs' `project` variable and nothing else."""
    for path in terraform_code_files():
        for line in code(path).splitlines():
            if "nyctaxi" in line:
                assert path.name == "variables.tf" and MODULES not in path.parents, (
                    f"{path}: {line.strip()}"
                )

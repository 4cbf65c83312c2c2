"""Least privilege: every policy is an aws_iam_policy_document with named actions only, scoped
resources, no managed policies; "*" as a resource only for actions AWS cannot scope."""

import re

import pytest
from infra_tree import all_blocks, first, parse, tf_files

# Actions that have no resource type in IAM (AWS Service Authorization Reference): for them
# "*" is the only possible resource. Anything else must name its resources.
UNSCOPABLE_ACTIONS = {
    "cloudwatch:PutMetricData",
    "elasticmapreduce:RunJobFlow",
    "logs:DescribeLogGroups",
    "redshift-data:CancelStatement",
    "redshift-data:DescribeStatement",
    "redshift-data:GetStatementResult",
    "redshift-data:ListStatements",
    "s3:GetAccountPublicAccessBlock",
}
EC2_DESCRIBE = re.compile(r"^ec2:Describe[A-Za-z]+$")

# Attributes through which a policy can reach IAM.
POLICY_ATTRIBUTES = ("policy", "assume_role_policy", "inline_policy", "managed_policy_arns")


def policy_documents():
    return all_blocks("data", "aws_iam_policy_document")


def statements():
    """(document address, statement) for every statement of every policy document."""
    found = []
    for doc in policy_documents():
        for statement in doc.body.get("statement", []):
            found.append((doc.address, statement))
    return found


def is_identity_policy(statement):
    """Key and trust policies name principals; identity policies (attached to roles) do not."""
    return "principals" not in statement


def test_there_are_policies_to_check():
    assert len(policy_documents()) >= 8
    assert len(statements()) >= 40


@pytest.mark.parametrize("address,statement", statements(), ids=lambda v: str(v)[:60])
def test_no_wildcard_action(address, statement):
    assert "not_actions" not in statement, f"{address}: not_actions grants everything else"
    actions = statement.get("actions", [])
    assert actions, f"{address}: statement without actions"
    wildcards = [a for a in actions if "*" in a]
    assert not wildcards, f"{address}: wildcard actions {wildcards}"


def test_no_wildcard_action_literal_anywhere():
    """Not even outside policy documents: no "iam:*", "s3:*", ... string in any .tf file."""
    for path in tf_files():
        found = re.findall(r'"[a-z0-9-]+:\*"', path.read_text(encoding="utf-8"))
        assert not found, f"{path}: {found}"


@pytest.mark.parametrize("address,statement", statements(), ids=lambda v: str(v)[:60])
def test_star_resource_only_for_unscopable_actions(address, statement):
    if not is_identity_policy(statement) or "*" not in statement.get("resources", []):
        return
    scopable = [
        a
        for a in statement["actions"]
        if a not in UNSCOPABLE_ACTIONS and not EC2_DESCRIBE.match(a) and a != "sts:AssumeRole"
    ]
    assert not scopable, f'{address}: {scopable} granted on "*"'


@pytest.mark.parametrize("address,statement", statements(), ids=lambda v: str(v)[:60])
def test_not_resources_needs_a_condition(address, statement):
    if "not_resources" in statement:
        assert statement.get("condition"), f"{address}: not_resources without a condition"


@pytest.mark.parametrize("address,statement", statements(), ids=lambda v: str(v)[:60])
def test_no_all_buckets_resource(address, statement):
    for resource in statement.get("resources", []):
        assert not re.search(r":s3:::\*", resource), f"{address}: {resource} is every bucket"


@pytest.mark.parametrize("address,statement", statements(), ids=lambda v: str(v)[:60])
def test_pass_role_is_scoped_to_one_service(address, statement):
    if "iam:PassRole" not in statement.get("actions", []):
        return
    assert "*" not in statement["resources"], f"{address}: PassRole on any role"
    conditions = [first(c) for c in statement.get("condition", [])]
    assert any(c["variable"] == "iam:PassedToService" for c in conditions), (
        f"{address}: PassRole without iam:PassedToService"
    )


def test_every_policy_attribute_comes_from_a_policy_document():
    """No jsonencode() or heredoc policy escapes the checks above."""
    checked = 0
    for block in all_blocks("resource"):
        for attribute in POLICY_ATTRIBUTES:
            if attribute not in block.body:
                continue
            value = block.body[attribute]
            assert isinstance(value, str), f"{block.address}: {attribute} is not an expression"
            assert re.fullmatch(
                r"\$\{data\.aws_iam_policy_document\.\w+(\[[^]]+\])?\.json\}|"
                r"\$\{each\.value\}",
                value,
            ), f"{block.address}: {attribute} = {value}"
            checked += 1
    assert checked >= 5


def test_no_managed_policy_attachments():
    """AWS managed policies (AWSGlueServiceRole, AmazonEMR...) are full of wildcard actions."""
    for type_ in (
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
    ):
        assert not all_blocks("resource", type_), f"{type_} found"


def test_role_policies_are_fed_by_documents_of_this_module():
    """aws_iam_role_policy's `${each.value}` must come from a map of policy documents."""
    fed = 0
    for block in all_blocks("resource", "aws_iam_role_policy"):
        if block.body["policy"] != "${each.value}":
            continue
        local_name = re.fullmatch(r"\$\{local\.(\w+)\}", block.body["for_each"]).group(1)
        defined = {k: v for entry in parse(block.path)["locals"] for k, v in entry.items()}
        policies = defined[local_name]
        assert policies, f"{block.address}: local.{local_name} is empty"
        for role, policy in policies.items():
            assert re.fullmatch(r"\$\{data\.aws_iam_policy_document\.\w+\.json\}", policy), (
                f"{block.address}: {role} gets {policy}"
            )
            fed += 1
    assert fed >= 5

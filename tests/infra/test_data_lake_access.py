"""Each role reaches only its layers of the data lake: the pipeline's hand-offs are the only
write paths (Glue raw -> staging, EMR staging -> gold, Redshift reads gold)."""

import re

import pytest
from infra_tree import MODULES, dir_blocks

WRITE_ACTIONS = {"s3:PutObject", "s3:DeleteObject"}
READ_ACTIONS = {"s3:GetObject"}

# policy document (modules/iam) -> data-lake prefixes it may read / write
EXPECTED = {
    "glue": ({"raw", "scripts", "staging", "tmp"}, {"staging", "tmp"}),
    "emr_instance": ({"staging", "scripts", "gold"}, {"gold"}),
    "redshift_copy": ({"gold"}, set()),
    "mwaa": ({"raw"}, set()),
    "emr_service": (set(), set()),
}


def documents():
    return {
        b.labels[1]: b.body
        for b in dir_blocks(MODULES / "iam", "data")
        if b.labels[0] == "aws_iam_policy_document"
    }


def prefixes(document, actions):
    """Data-lake prefixes (local.datalake_objects.<prefix>) granted any of `actions`."""
    found = set()
    for statement in document.get("statement", []):
        if actions & set(statement["actions"]):
            for resource in statement.get("resources", []):
                found |= set(re.findall(r"local\.datalake_objects\.(\w+)", resource))
                assert "${var.datalake_bucket_arn}/" not in resource, (
                    f"{resource}: object access to the whole data lake"
                )
    return found


def test_every_role_document_is_covered():
    assert set(EXPECTED) <= set(documents())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reads_only_its_layers(name):
    assert prefixes(documents()[name], READ_ACTIONS) == EXPECTED[name][0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_writes_only_its_layers(name):
    assert prefixes(documents()[name], WRITE_ACTIONS) == EXPECTED[name][1]


def test_nothing_writes_raw_and_only_emr_writes_gold():
    writers = {name: prefixes(doc, WRITE_ACTIONS) for name, doc in documents().items()}
    assert not any("raw" in w for w in writers.values()), "raw/ is landed, never rewritten"
    assert [n for n, w in writers.items() if "gold" in w] == ["emr_instance"]

"""Every S3 bucket is versioned, KMS-encrypted and has all public access blocked; the platform's
buckets are all built by the one module that guarantees it."""

import pytest
from infra_tree import MODULES, Block, all_blocks, dir_blocks, first, module_source_dir

BUCKET_MODULE = MODULES / "private_bucket"


def buckets() -> list[Block]:
    return all_blocks("resource", "aws_s3_bucket")


def companion(bucket: Block, type_: str) -> dict:
    """The resource of `type_` in the bucket's module that configures this very bucket."""
    reference = f"${{aws_s3_bucket.{bucket.labels[1]}.id}}"
    found = [
        b.body
        for b in dir_blocks(bucket.path.parent, "resource")
        if b.labels[0] == type_ and b.body.get("bucket") == reference
    ]
    assert len(found) == 1, f"{bucket.address}: {len(found)} {type_} for it"
    return found[0]


def test_buckets_exist():
    assert buckets()


@pytest.mark.parametrize("bucket", buckets(), ids=lambda b: b.address)
def test_bucket_is_versioned(bucket):
    versioning = companion(bucket, "aws_s3_bucket_versioning")
    assert first(versioning["versioning_configuration"])["status"] == "Enabled"


@pytest.mark.parametrize("bucket", buckets(), ids=lambda b: b.address)
def test_bucket_is_kms_encrypted(bucket):
    sse = companion(bucket, "aws_s3_bucket_server_side_encryption_configuration")
    default = first(first(sse["rule"])["apply_server_side_encryption_by_default"])
    assert default["sse_algorithm"] == "aws:kms"
    assert default["kms_master_key_id"].startswith("${"), "key must come from the kms module"


@pytest.mark.parametrize("bucket", buckets(), ids=lambda b: b.address)
def test_bucket_blocks_public_access(bucket):
    block = companion(bucket, "aws_s3_bucket_public_access_block")
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls")
    for flag in (*flags, "restrict_public_buckets"):
        assert block[flag] is True, f"{bucket.address}: {flag} is {block[flag]}"


@pytest.mark.parametrize("bucket", buckets(), ids=lambda b: b.address)
def test_bucket_disables_acls(bucket):
    controls = companion(bucket, "aws_s3_bucket_ownership_controls")
    assert first(controls["rule"])["object_ownership"] == "BucketOwnerEnforced"


def test_only_the_private_bucket_module_creates_buckets():
    assert {b.path.parent for b in buckets()} == {BUCKET_MODULE}


def test_no_bucket_acl_or_public_policy_resources():
    for type_ in (
        "aws_s3_bucket_acl",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_website_configuration",
    ):
        assert not all_blocks("resource", type_), f"{type_} found"


def test_platform_buckets_are_built_with_it():
    """datalake and mwaa (s3 module) and the EMR log bucket (emr module)."""
    calls = [c for c in all_blocks("module") if module_source_dir(c) == BUCKET_MODULE]
    built = {(c.path.parent.name, c.labels[0]) for c in calls}
    assert built == {("s3", "datalake"), ("s3", "mwaa"), ("emr", "logs")}


def test_datalake_and_mwaa_layouts():
    calls = {c.labels[0]: c.body for c in dir_blocks(MODULES / "s3", "module")}
    assert {"raw/", "staging/", "gold/"} <= set(calls["datalake"]["folders"])
    assert {"dags/", "plugins/"} <= set(calls["mwaa"]["folders"])
    uploads = {
        b.body["key"]
        for b in dir_blocks(MODULES / "mwaa", "resource")
        if b.labels[0] == "aws_s3_object"
    }
    assert uploads == {"dags/${basename(var.dag_source)}", "requirements.txt"}

# What the DAG's EMR job flow (create_emr_jobflow -> add_emr_step -> terminate_jobflow) needs:
# a log bucket, a security configuration (KMS encryption of S3 output and of local disks, IMDSv2),
# and the Spark script of the aggregation step uploaded from scripts/. The cluster itself is
# transient and created by the DAG with the roles of the iam module, in a private subnet.

module "logs" {
  source = "../private_bucket"

  name                               = var.logs_bucket_name
  kms_key_arn                        = var.kms_key_arn
  expiration_days                    = var.log_retention_days
  noncurrent_version_expiration_days = 1
  force_destroy                      = var.force_destroy
}

resource "aws_emr_security_configuration" "this" {
  #checkov:skip=CKV_AWS_351:in-transit encryption needs a TLS certificate provider, not set up yet (README: known gaps)
  name = "${var.name_prefix}-emr-security"

  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption = true
      # In-transit encryption needs a TLS certificate provider (a PEM bundle in S3 or a custom
      # provider class): not set up yet, see infra/.checkov.yaml.
      EnableInTransitEncryption = false
      AtRestEncryptionConfiguration = {
        S3EncryptionConfiguration = {
          EncryptionMode = "SSE-KMS"
          AwsKmsKey      = var.kms_key_arn
        }
        LocalDiskEncryptionConfiguration = {
          EncryptionKeyProviderType = "AwsKms"
          AwsKmsKey                 = var.kms_key_arn
          EnableEbsEncryption       = true
        }
      }
    }
    InstanceMetadataServiceConfiguration = {
      MinimumInstanceMetadataServiceVersion = 2
      HttpPutResponseHopLimit               = 1
    }
  })
}

resource "aws_s3_object" "script" {
  bucket      = var.datalake_bucket_name
  key         = "scripts/${basename(var.script_source)}"
  source      = var.script_source
  source_hash = filemd5(var.script_source) # not etag: an SSE-KMS object's ETag is not its MD5
}

# A private S3 bucket as every bucket of the platform must be: versioned, encrypted with the
# platform's KMS key, all public access blocked, owner-enforced object ownership (no ACLs), old
# versions and failed uploads expired. The s3 and emr modules build their buckets with it.

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:server access logs would need a fourth bucket; CloudTrail S3 data events (account level) are the audit trail
  #checkov:skip=CKV_AWS_144:single-region platform; versioning guards against deletes and raw/ can be landed again
  #checkov:skip=CKV2_AWS_62:nothing consumes bucket events: the DAG's S3 sensor polls raw/
  bucket        = var.name
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-old-versions-and-failed-uploads"
    status = "Enabled"
    filter {}

    dynamic "expiration" {
      for_each = var.expiration_days == null ? [] : [var.expiration_days]
      content {
        days = expiration.value
      }
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# Zero-byte "folder" markers, so the layout (raw/, staging/, ...) shows in consoles before any data.
resource "aws_s3_object" "folder" {
  for_each = toset(var.folders)

  bucket  = aws_s3_bucket.this.id
  key     = each.value
  content = ""

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.this]
}

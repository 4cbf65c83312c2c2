# Glue side of the pipeline: the catalog database, the crawler over raw/ (crawl_data_nyc) and the
# PySpark job raw/ -> staging/ (process_to_staging_nyc), whose script is uploaded from scripts/.
# Everything Glue writes (S3 output, CloudWatch logs, job bookmarks) is encrypted with the
# platform key through a security configuration.

locals {
  script_key = "scripts/${basename(var.script_source)}"
}

resource "aws_glue_catalog_database" "this" {
  name        = var.database_name
  description = "NYC green-taxi trips: raw/ tables found by the crawler, staging output"
}

resource "aws_glue_security_configuration" "this" {
  name = "${var.name_prefix}-glue"

  encryption_configuration {
    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }
    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }
  }
}

resource "aws_glue_crawler" "raw" {
  name                   = var.crawler_name
  database_name          = aws_glue_catalog_database.this.name
  role                   = var.role_arn
  security_configuration = aws_glue_security_configuration.this.name
  table_prefix           = "raw_"

  s3_target {
    path = "s3://${var.datalake_bucket_name}/raw/"
  }

  schema_change_policy {
    update_behavior = "UPDATE_IN_DATABASE"
    delete_behavior = "LOG"
  }
}

resource "aws_s3_object" "script" {
  bucket      = var.datalake_bucket_name
  key         = local.script_key
  source      = var.script_source
  source_hash = filemd5(var.script_source) # not etag: an SSE-KMS object's ETag is not its MD5
}

resource "aws_glue_job" "process_to_staging" {
  name                   = var.job_name
  role_arn               = var.role_arn
  glue_version           = var.glue_version
  worker_type            = var.worker_type
  number_of_workers      = var.number_of_workers
  timeout                = var.timeout_minutes
  security_configuration = aws_glue_security_configuration.this.name

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${aws_s3_object.script.bucket}/${aws_s3_object.script.key}"
  }

  execution_property {
    max_concurrent_runs = 1
  }

  default_arguments = {
    "--job-language"                     = "python"
    "--enable-metrics"                   = "true"
    "--enable-continuous-cloudwatch-log" = "true"
    "--TempDir"                          = "s3://${var.datalake_bucket_name}/tmp/glue/"
    # the DAG passes the same arguments; these defaults make a run started by hand do the same
    "--input"  = "s3://${var.datalake_bucket_name}/raw/green_tripdata/"
    "--output" = "s3://${var.datalake_bucket_name}/staging/trips/"
  }
}

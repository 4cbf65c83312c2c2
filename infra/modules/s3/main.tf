# The platform's two main buckets:
# - the data lake: raw/ (landed CSV), staging/ (Glue output), gold/ (EMR aggregates, loaded into
#   Redshift), scripts/ (the Glue and EMR job scripts), tmp/ (Glue's temporary directory);
# - the MWAA source bucket: dags/, plugins/ and requirements.txt (uploaded by the mwaa module).

module "datalake" {
  source = "../private_bucket"

  name                               = var.datalake_bucket_name
  kms_key_arn                        = var.kms_key_arn
  folders                            = ["raw/", "staging/", "gold/", "scripts/", "tmp/"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  force_destroy                      = var.force_destroy
}

module "mwaa" {
  source = "../private_bucket"

  name                               = var.mwaa_bucket_name
  kms_key_arn                        = var.kms_key_arn
  folders                            = ["dags/", "plugins/"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  force_destroy                      = var.force_destroy
}

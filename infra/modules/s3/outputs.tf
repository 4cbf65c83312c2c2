output "datalake_bucket_name" {
  description = "Data-lake bucket name."
  value       = module.datalake.name
}

output "datalake_bucket_arn" {
  description = "Data-lake bucket ARN."
  value       = module.datalake.arn
}

output "mwaa_bucket_name" {
  description = "MWAA source bucket name."
  value       = module.mwaa.name
}

output "mwaa_bucket_arn" {
  description = "MWAA source bucket ARN."
  value       = module.mwaa.arn
}

output "raw_uri" {
  description = "Where landed CSV files go."
  value       = "s3://${module.datalake.name}/raw/"
}

output "staging_uri" {
  description = "Glue job output (Parquet)."
  value       = "s3://${module.datalake.name}/staging/"
}

output "gold_uri" {
  description = "EMR job output, COPY source for Redshift."
  value       = "s3://${module.datalake.name}/gold/"
}

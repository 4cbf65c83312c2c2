output "prefix" {
  description = "`<project>-<env>`, the prefix of every name below."
  value       = local.prefix
}

output "datalake_bucket" {
  description = "Data-lake bucket (raw/, staging/, gold/, scripts/)."
  value       = "${local.prefix}-datalake"
}

output "mwaa_bucket" {
  description = "MWAA source bucket (dags/, plugins/, requirements.txt)."
  value       = "${local.prefix}-mwaa"
}

output "emr_logs_bucket" {
  description = "EMR log bucket."
  value       = "${local.prefix}-emr-logs"
}

output "glue_database" {
  description = "Glue catalog database (underscores: Athena and Spark SQL dislike hyphens)."
  value       = replace("${local.prefix}", "-", "_")
}

output "glue_crawler" {
  description = "Glue crawler over raw/."
  value       = "${local.prefix}-raw-crawler"
}

output "glue_job" {
  description = "Glue PySpark job raw/ -> staging/."
  value       = "${local.prefix}-process-to-staging"
}

output "redshift_cluster" {
  description = "Redshift cluster identifier."
  value       = "${local.prefix}-warehouse"
}

output "redshift_database" {
  description = "Redshift database the gold tables are loaded into."
  value       = "analytics"
}

output "mwaa_environment" {
  description = "MWAA environment name."
  value       = "${local.prefix}-airflow"
}

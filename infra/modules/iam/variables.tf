variable "name_prefix" {
  description = "`<project>-<env>`, prefix of every role name."
  type        = string
}

variable "kms_key_arn" {
  description = "The platform's data key."
  type        = string
}

variable "datalake_bucket_arn" {
  description = "ARN of the data-lake bucket."
  type        = string
}

variable "mwaa_bucket_arn" {
  description = "ARN of the MWAA source bucket."
  type        = string
}

variable "emr_logs_bucket_arn" {
  description = "ARN of the EMR log bucket."
  type        = string
}

variable "glue_database_name" {
  description = "Glue catalog database the crawler and job write to."
  type        = string
}

variable "glue_crawler_name" {
  description = "Crawler the DAG starts."
  type        = string
}

variable "glue_job_name" {
  description = "Glue job the DAG runs."
  type        = string
}

variable "mwaa_environment_name" {
  description = "MWAA environment whose execution role this module creates."
  type        = string
}

variable "redshift_cluster_identifier" {
  description = "Redshift cluster the DAG loads."
  type        = string
}

variable "redshift_database_name" {
  description = "Database of that cluster."
  type        = string
}

variable "redshift_etl_user" {
  description = "Database user the DAG gets temporary credentials for (GetClusterCredentials)."
  type        = string
}

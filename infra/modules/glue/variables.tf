variable "name_prefix" {
  description = "`<project>-<env>`, prefix of incidental names (security configuration)."
  type        = string
}

variable "database_name" {
  description = "Glue catalog database."
  type        = string
}

variable "crawler_name" {
  description = "Crawler over raw/."
  type        = string
}

variable "job_name" {
  description = "PySpark job raw/ -> staging/."
  type        = string
}

variable "role_arn" {
  description = "Role the crawler and the job run as (iam module's glue role)."
  type        = string
}

variable "datalake_bucket_name" {
  description = "Data-lake bucket: raw/ is crawled, staging/ is written, scripts/ holds the job script."
  type        = string
}

variable "script_source" {
  description = "Local path of the job's PySpark script (scripts/glue_process_to_staging.py)."
  type        = string
}

variable "kms_key_arn" {
  description = "The platform's data key."
  type        = string
}

variable "glue_version" {
  description = "Glue version of the job."
  type        = string
  default     = "5.0"
}

variable "worker_type" {
  description = "Glue worker type (G.1X, G.2X, ...)."
  type        = string
  default     = "G.1X"
}

variable "number_of_workers" {
  description = "Number of Glue workers."
  type        = number
  default     = 2
}

variable "timeout_minutes" {
  description = "Job run timeout."
  type        = number
  default     = 60
}

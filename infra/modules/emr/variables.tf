variable "name_prefix" {
  description = "`<project>-<env>`, prefix of incidental names (security configuration)."
  type        = string
}

variable "logs_bucket_name" {
  description = "Name of the EMR log bucket."
  type        = string
}

variable "datalake_bucket_name" {
  description = "Data-lake bucket whose scripts/ prefix receives the Spark script."
  type        = string
}

variable "script_source" {
  description = "Local path of the EMR Spark step (scripts/emr_aggregate_gold.py)."
  type        = string
}

variable "kms_key_arn" {
  description = "The platform's data key."
  type        = string
}

variable "subnet_id" {
  description = "Private subnet the DAG's job flow runs in (Ec2SubnetId)."
  type        = string
}

variable "release_label" {
  description = "EMR release the DAG's job flow uses."
  type        = string
  default     = "emr-7.5.0"
}

variable "log_retention_days" {
  description = "Days cluster logs are kept."
  type        = number
  default     = 30
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a non-empty log bucket (dev only)."
  type        = bool
  default     = false
}

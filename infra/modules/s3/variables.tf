variable "datalake_bucket_name" {
  description = "Name of the data-lake bucket."
  type        = string
}

variable "mwaa_bucket_name" {
  description = "Name of the MWAA source bucket (MWAA requires versioning and blocked public access)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts both buckets."
  type        = string
}

variable "noncurrent_version_expiration_days" {
  description = "Days an old object version is kept."
  type        = number
  default     = 90
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete non-empty buckets (dev only)."
  type        = bool
  default     = false
}

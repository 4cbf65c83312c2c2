variable "name" {
  description = "Bucket name."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts every object by default."
  type        = string
}

variable "folders" {
  description = "Prefixes to create as empty folder markers, each ending with a slash."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for f in var.folders : endswith(f, "/")])
    error_message = "Each folder must end with a slash."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which a replaced or deleted object's old version is removed."
  type        = number
  default     = 90
}

variable "expiration_days" {
  description = "Days after which current objects expire (null: never). For log buckets."
  type        = number
  default     = null
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a non-empty bucket (dev only)."
  type        = bool
  default     = false
}

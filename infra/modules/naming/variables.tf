variable "project" {
  description = "Project name, first part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be lower-case letters, digits and hyphens (S3 bucket names are built from it)."
  }
}

variable "env" {
  description = "Environment name (dev, prod, ...), second part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.env))
    error_message = "env must be lower-case letters, digits and hyphens."
  }
}

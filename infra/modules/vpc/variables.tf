variable "name_prefix" {
  description = "`<project>-<env>`, prefix of every name in this module."
  type        = string
}

variable "cidr_block" {
  description = "CIDR block of the VPC."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.cidr_block))
    error_message = "cidr_block must be an IPv4 CIDR block such as 10.20.0.0/16."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each subnet (4 on a /16 gives /20 subnets)."
  type        = number
  default     = 4
}

variable "az_count" {
  description = "Availability zones used; MWAA needs private subnets in two of them."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2
    error_message = "MWAA and Redshift subnet groups need at least two availability zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper) instead of one per AZ (survives an AZ outage)."
  type        = bool
  default     = false
}

variable "flow_log_retention_days" {
  description = "Days VPC flow logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the flow-log group."
  type        = string
}

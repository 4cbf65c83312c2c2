variable "name_prefix" {
  description = "`<project>-<env>`, prefix of incidental names (subnet group, security group, secret)."
  type        = string
}

variable "cluster_identifier" {
  description = "Redshift cluster identifier."
  type        = string
}

variable "database_name" {
  description = "Database created with the cluster."
  type        = string
}

variable "admin_username" {
  description = "Admin user (not the documented default `awsuser`)."
  type        = string
  default     = "platform_admin"
}

variable "node_type" {
  description = "Node type (ra3.large, ra3.xlplus, ...)."
  type        = string
}

variable "number_of_nodes" {
  description = "Number of nodes; 1 makes a single-node cluster."
  type        = number
}

variable "port" {
  description = "Port the cluster listens on."
  type        = number
  default     = 5439
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "vpc_cidr_block" {
  description = "CIDR allowed to connect with SQL."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the subnet group."
  type        = list(string)
}

variable "s3_prefix_list_id" {
  description = "Prefix list of the VPC's S3 gateway endpoint (COPY traffic)."
  type        = string
}

variable "copy_role_arn" {
  description = "Role attached to the cluster for COPY from gold/ (iam module's redshift-copy)."
  type        = string
}

variable "kms_key_arn" {
  description = "The platform's data key (cluster storage and the admin secret)."
  type        = string
}

variable "snapshot_retention_days" {
  description = "Days automated snapshots are kept."
  type        = number
  default     = 7
}

variable "skip_final_snapshot" {
  description = "Skip the final snapshot on destroy (dev only)."
  type        = bool
  default     = false
}

variable "secret_recovery_window_days" {
  description = "Days a deleted admin secret can be restored (0 deletes at once)."
  type        = number
  default     = 30
}

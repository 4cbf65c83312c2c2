# Variables of the dev environment; the defaults are sized for dev (prod/variables.tf has the
# same variables with prod-sized defaults). region has no default: set it in terraform.tfvars.

variable "project" {
  description = "Project name, first part of every resource name."
  type        = string
  default     = "nyctaxi"
}

variable "env" {
  description = "Environment name, second part of every resource name."
  type        = string
  default     = "dev"
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
}

variable "tags" {
  description = "Extra tags on every resource (Project, Environment and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

variable "disposable" {
  description = "Environment may be destroyed with its data: buckets force-destroyed, no final Redshift snapshot, secrets deleted at once."
  type        = bool
  default     = true
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
  default     = "10.30.0.0/16"
}

variable "az_count" {
  description = "Availability zones used (at least 2)."
  type        = number
  default     = 2
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all AZs (cheaper) instead of one per AZ."
  type        = bool
  default     = true
}

variable "glue_worker_type" {
  description = "Glue worker type of the job."
  type        = string
  default     = "G.1X"
}

variable "glue_number_of_workers" {
  description = "Glue workers of the job."
  type        = number
  default     = 2
}

variable "emr_release_label" {
  description = "EMR release of the DAG's job flow."
  type        = string
  default     = "emr-7.5.0"
}

variable "redshift_node_type" {
  description = "Redshift node type."
  type        = string
  default     = "ra3.large"
}

variable "redshift_number_of_nodes" {
  description = "Redshift nodes (1: single-node)."
  type        = number
  default     = 1
}

variable "redshift_etl_user" {
  description = "Database user the DAG's load task connects as (temporary credentials)."
  type        = string
  default     = "loader"
}

variable "airflow_version" {
  description = "Airflow version of the MWAA environment."
  type        = string
  default     = "2.11.0"
}

variable "mwaa_environment_class" {
  description = "MWAA environment class."
  type        = string
  default     = "mw1.small"
}

variable "mwaa_min_workers" {
  description = "Minimum MWAA workers."
  type        = number
  default     = 1
}

variable "mwaa_max_workers" {
  description = "Maximum MWAA workers."
  type        = number
  default     = 2
}

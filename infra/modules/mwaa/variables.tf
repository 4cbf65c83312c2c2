variable "environment_name" {
  description = "MWAA environment name."
  type        = string
}

variable "airflow_version" {
  description = "Airflow version of the environment (dags/requirements.txt targets 2.11.0; the DAG also imports on 3.x)."
  type        = string
  default     = "2.11.0"
}

variable "environment_class" {
  description = "mw1.micro, mw1.small, mw1.medium, mw1.large, ..."
  type        = string
  default     = "mw1.small"
}

variable "min_workers" {
  description = "Minimum number of Celery workers."
  type        = number
  default     = 1
}

variable "max_workers" {
  description = "Maximum number of Celery workers."
  type        = number
  default     = 2
}

variable "execution_role_arn" {
  description = "Execution role (iam module's mwaa role)."
  type        = string
}

variable "source_bucket_name" {
  description = "MWAA source bucket (dags/, requirements.txt)."
  type        = string
}

variable "source_bucket_arn" {
  description = "ARN of the MWAA source bucket."
  type        = string
}

variable "dag_source" {
  description = "Local path of the DAG file (dags/prepare_data_nyc.py)."
  type        = string
}

variable "requirements_source" {
  description = "Local path of the MWAA requirements file (dags/requirements.txt)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the environment."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets in two availability zones; the first two are used."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "MWAA needs two private subnets in different availability zones."
  }
}

variable "webserver_access_mode" {
  description = "PRIVATE_ONLY (web server reachable from the VPC only) or PUBLIC_ONLY."
  type        = string
  default     = "PRIVATE_ONLY"

  validation {
    condition     = contains(["PRIVATE_ONLY", "PUBLIC_ONLY"], var.webserver_access_mode)
    error_message = "webserver_access_mode must be PRIVATE_ONLY or PUBLIC_ONLY."
  }
}

variable "task_log_level" {
  description = "Level of the task logs sent to CloudWatch (the console tails them)."
  type        = string
  default     = "INFO"
}

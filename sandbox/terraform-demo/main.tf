# The provisioning demo of the sandbox: what `:terraform` opens in a `--sandbox` context that
# has no [contexts.NAME.terraform] settings. It uses our test provider (sandbox/tfprovider,
# example.com/platform/cloud), whose "cloud" is a directory of JSON files, so plan, apply,
# replace, a failing create and drift can all be tried without an AWS account.
#
# The console runs it in a copy under its state directory (the directory is shown on the
# provisioning screen); put a terraform.tfvars there to change the variables below.

terraform {
  required_providers {
    cloud = {
      source  = "example.com/platform/cloud"
      version = "0.1.0"
    }
  }
}

variable "cloud_dir" {
  description = "The test provider's cloud (set by the console)."
  type        = string
}

variable "environment" {
  description = "Names every object; changing it replaces them."
  type        = string
  default     = "sandbox"
}

variable "pipeline_schedule" {
  description = "Updated in place."
  type        = string
  default     = "@daily"
}

variable "warehouse_name" {
  description = "Changing it replaces the warehouse (the name forces a new object)."
  type        = string
  default     = "warehouse"
}

variable "warehouse_password" {
  type      = string
  default   = "demo-warehouse-pw"
  sensitive = true
}

variable "fail" {
  description = "Adds an object whose create fails (to see a per-resource error)."
  type        = bool
  default     = false
}

provider "cloud" {
  directory = var.cloud_dir
}

module "lake" {
  source      = "./modules/lake"
  environment = var.environment
}

resource "cloud_object" "pipeline" {
  name    = "${var.environment}-pipeline"
  content = var.pipeline_schedule
}

resource "cloud_object" "warehouse" {
  name    = "${var.environment}-${var.warehouse_name}"
  content = "dc2.large x1"
  secret  = var.warehouse_password
}

resource "cloud_object" "broken" {
  count = var.fail ? 1 : 0
  name  = "${var.environment}-broken"
  fail  = true
}

output "pipeline_id" {
  value = cloud_object.pipeline.id
}

output "buckets" {
  value = module.lake.buckets
}

output "warehouse_password" {
  value     = cloud_object.warehouse.secret
  sensitive = true
}

# Test configuration with our own provider (sandbox/tfprovider, example.com/platform/cloud),
# installed by the tests from a filesystem mirror. Its "cloud" is a directory of JSON files
# (TF_VAR_cloud_dir), which the tests change behind Terraform's back to make drift.

terraform {
  required_providers {
    cloud = {
      source  = "example.com/platform/cloud"
      version = "0.1.0"
    }
  }
}

variable "cloud_dir" {
  type = string
}

variable "report_name" {
  type    = string
  default = "report"
}

variable "content" {
  type    = string
  default = "v1"
}

variable "api_key" {
  type      = string
  default   = "cloud-s3cr3t"
  sensitive = true
}

variable "fail" {
  type    = bool
  default = false
}

provider "cloud" {
  directory = var.cloud_dir
}

resource "cloud_object" "report" {
  name    = var.report_name
  content = var.content
  secret  = var.api_key
}

resource "cloud_object" "broken" {
  count = var.fail ? 1 : 0
  name  = "broken"
  fail  = true
}

# The data lake's zones as objects of the test provider's cloud.

terraform {
  required_providers {
    cloud = {
      source = "example.com/platform/cloud"
    }
  }
}

variable "environment" {
  type = string
}

resource "cloud_object" "zone" {
  for_each = toset(["raw", "staging", "gold"])
  name     = "${var.environment}-datalake-${each.key}"
  content  = "zone ${each.key}"
}

output "buckets" {
  value = [for zone in cloud_object.zone : zone.id]
}

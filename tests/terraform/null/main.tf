# Test configuration with a real HashiCorp provider: hashicorp/null 2.1.2 (protocol 5), which
# the tests install from a filesystem mirror made by scripts/fetch-terraform-extras.

terraform {
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "2.1.2"
    }
  }
}

variable "release" {
  type    = string
  default = "r1"
}

# Replaced whenever a trigger changes (replace_paths = triggers).
resource "null_resource" "deploy" {
  triggers = {
    release = var.release
  }
}

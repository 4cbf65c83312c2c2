# Test configuration for the Terraform runner tests (tests/terraform_*.rs). Only built-in
# things: terraform_data, local-exec and a local module, so `init` downloads nothing.
# Variables steer each scenario: name (updates and a replace), fail (a failing create),
# sleep_seconds (a long apply to cancel).

variable "name" {
  type    = string
  default = "demo"
}

variable "secret" {
  type      = string
  default   = "s3cr3t-value"
  sensitive = true
}

variable "fail" {
  type    = bool
  default = false
}

variable "sleep_seconds" {
  type    = number
  default = 0
}

resource "terraform_data" "greeting" {
  input = "hello ${var.name}"
}

# Replaced whenever name changes (replace_paths = triggers_replace); its token is sensitive.
resource "terraform_data" "token" {
  input = "token for ${var.name}"
  triggers_replace = {
    name  = var.name
    token = var.secret
  }
}

resource "terraform_data" "broken" {
  count = var.fail ? 1 : 0
  provisioner "local-exec" {
    command = "echo failing on purpose; exit 3"
  }
}

resource "terraform_data" "slow" {
  count = var.sleep_seconds > 0 ? 1 : 0
  provisioner "local-exec" {
    command = "sleep ${var.sleep_seconds}"
  }
}

module "child" {
  source = "./child"
  name   = var.name
}

output "greeting" {
  value = terraform_data.greeting.output
}

output "token" {
  value     = var.secret
  sensitive = true
}

output "child_item" {
  value = module.child.item
}

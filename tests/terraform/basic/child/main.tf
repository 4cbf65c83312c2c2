variable "name" {
  type = string
}

resource "terraform_data" "item" {
  input = "item ${var.name}"
}

output "item" {
  value = terraform_data.item.output
}

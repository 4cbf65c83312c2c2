variable "name_prefix" {
  description = "`<project>-<env>`, used in the key's alias and description."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Days a deleted key can still be recovered (7 to 30)."
  type        = number
  default     = 30
}

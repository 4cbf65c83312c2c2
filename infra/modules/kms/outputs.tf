output "key_arn" {
  description = "ARN of the platform's data key."
  value       = aws_kms_key.this.arn
}

output "alias_name" {
  description = "Alias of the platform's data key."
  value       = aws_kms_alias.this.name
}

output "role_arns" {
  description = "ARN of each role, by purpose: glue, emr-service-role, emr-instance-role, redshift-copy, mwaa."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "role_names" {
  description = "Name of each role, by purpose."
  value       = { for k, r in aws_iam_role.this : k => r.name }
}

output "emr_instance_profile_name" {
  description = "Instance profile of the EMR job flow's EC2 instances (JobFlowRole)."
  value       = aws_iam_instance_profile.emr_instance.name
}

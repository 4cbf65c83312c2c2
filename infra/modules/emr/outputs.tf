output "logs_bucket_name" {
  description = "EMR log bucket."
  value       = module.logs.name
}

output "logs_bucket_arn" {
  description = "ARN of the EMR log bucket."
  value       = module.logs.arn
}

output "log_uri" {
  description = "LogUri of the DAG's job flow."
  value       = "s3://${module.logs.name}/logs/"
}

output "security_configuration_name" {
  description = "SecurityConfiguration of the DAG's job flow."
  value       = aws_emr_security_configuration.this.name
}

output "script_uri" {
  description = "S3 location of the Spark aggregation step."
  value       = "s3://${aws_s3_object.script.bucket}/${aws_s3_object.script.key}"
}

output "subnet_id" {
  description = "Ec2SubnetId of the DAG's job flow."
  value       = var.subnet_id
}

output "release_label" {
  description = "ReleaseLabel of the DAG's job flow."
  value       = var.release_label
}

output "environment_name" {
  description = "MWAA environment name."
  value       = aws_mwaa_environment.this.name
}

output "environment_arn" {
  description = "MWAA environment ARN."
  value       = aws_mwaa_environment.this.arn
}

output "webserver_url" {
  description = "Airflow web server host name."
  value       = aws_mwaa_environment.this.webserver_url
}

output "task_log_group_arn" {
  description = "CloudWatch log group of the Airflow task logs."
  value       = aws_mwaa_environment.this.logging_configuration[0].task_logs[0].cloud_watch_log_group_arn
}

output "security_group_id" {
  description = "Security group of the environment."
  value       = aws_security_group.this.id
}

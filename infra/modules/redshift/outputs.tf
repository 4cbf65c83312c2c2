output "cluster_identifier" {
  description = "Redshift cluster identifier."
  value       = aws_redshift_cluster.this.cluster_identifier
}

output "cluster_arn" {
  description = "Redshift cluster ARN."
  value       = aws_redshift_cluster.this.arn
}

output "endpoint" {
  description = "host:port of the cluster (reachable from inside the VPC only)."
  value       = aws_redshift_cluster.this.endpoint
}

output "database_name" {
  description = "Database the gold tables are loaded into."
  value       = aws_redshift_cluster.this.database_name
}

output "admin_secret_arn" {
  description = "Secrets Manager secret with the admin credentials and connection details."
  value       = aws_secretsmanager_secret.admin.arn
}

output "security_group_id" {
  description = "Security group of the cluster."
  value       = aws_security_group.this.id
}

output "vpc_id" {
  description = "VPC id."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets, one per AZ (MWAA, EMR, Redshift)."
  value       = aws_subnet.private[*].id
}

output "public_subnet_ids" {
  description = "Public subnets holding the NAT gateways."
  value       = aws_subnet.public[*].id
}

output "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint, for security-group egress rules to S3."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}

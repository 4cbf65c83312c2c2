# What the console's context, the DAG's Airflow Variables and the sandbox seed need.

output "region" {
  description = "Region of the environment."
  value       = var.region
}

output "datalake_bucket" {
  description = "Data-lake bucket (raw/, staging/, gold/, scripts/)."
  value       = module.s3.datalake_bucket_name
}

output "mwaa_bucket" {
  description = "MWAA source bucket."
  value       = module.s3.mwaa_bucket_name
}

output "emr_logs_bucket" {
  description = "EMR log bucket."
  value       = module.emr.logs_bucket_name
}

output "kms_key_arn" {
  description = "The platform's data key."
  value       = module.kms.key_arn
}

output "vpc_id" {
  description = "VPC of the platform."
  value       = module.vpc.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets (MWAA, EMR, Redshift)."
  value       = module.vpc.private_subnet_ids
}

output "role_arns" {
  description = "Role ARNs by purpose: glue, emr-service-role, emr-instance-role, redshift-copy, mwaa."
  value       = module.iam.role_arns
}

output "emr_service_role" {
  description = "ServiceRole of the DAG's job flow."
  value       = module.iam.role_names["emr-service-role"]
}

output "emr_instance_profile" {
  description = "JobFlowRole (instance profile) of the DAG's job flow."
  value       = module.iam.emr_instance_profile_name
}

output "emr_log_uri" {
  description = "LogUri of the DAG's job flow."
  value       = module.emr.log_uri
}

output "emr_security_configuration" {
  description = "SecurityConfiguration of the DAG's job flow."
  value       = module.emr.security_configuration_name
}

output "emr_subnet_id" {
  description = "Ec2SubnetId of the DAG's job flow."
  value       = module.emr.subnet_id
}

output "emr_release_label" {
  description = "ReleaseLabel of the DAG's job flow."
  value       = module.emr.release_label
}

output "emr_script_uri" {
  description = "Spark script of the DAG's EMR step."
  value       = module.emr.script_uri
}

output "glue_database" {
  description = "Glue catalog database."
  value       = module.glue.database_name
}

output "glue_crawler" {
  description = "Crawler over raw/."
  value       = module.glue.crawler_name
}

output "glue_job" {
  description = "Glue job raw/ -> staging/."
  value       = module.glue.job_name
}

output "redshift_cluster" {
  description = "Redshift cluster identifier."
  value       = module.redshift.cluster_identifier
}

output "redshift_endpoint" {
  description = "host:port of the warehouse (inside the VPC)."
  value       = module.redshift.endpoint
}

output "redshift_database" {
  description = "Warehouse database."
  value       = module.redshift.database_name
}

output "redshift_copy_role_arn" {
  description = "IAM_ROLE of the COPY from gold/."
  value       = module.iam.role_arns["redshift-copy"]
}

output "redshift_admin_secret_arn" {
  description = "Secret with the admin credentials."
  value       = module.redshift.admin_secret_arn
}

output "redshift_etl_user" {
  description = "Database user the DAG's load task gets temporary credentials for."
  value       = var.redshift_etl_user
}

output "mwaa_environment" {
  description = "MWAA environment name."
  value       = module.mwaa.environment_name
}

output "mwaa_webserver_url" {
  description = "Airflow web server host name (private: reachable from the VPC)."
  value       = module.mwaa.webserver_url
}

output "mwaa_task_log_group_arn" {
  description = "CloudWatch log group of the Airflow task logs."
  value       = module.mwaa.task_log_group_arn
}

# The DAG's Airflow Variables (dags/README.md), ready for
#   terraform output -json airflow_variables > vars.json && airflow variables import vars.json
output "airflow_variables" {
  description = "Airflow Variables the DAG reads, by name."
  value = {
    datalake_bucket            = module.s3.datalake_bucket_name
    emr_logs_bucket            = module.emr.logs_bucket_name
    glue_crawler_name          = module.glue.crawler_name
    glue_job_name              = module.glue.job_name
    emr_service_role           = module.iam.role_names["emr-service-role"]
    emr_instance_profile       = module.iam.emr_instance_profile_name
    emr_security_configuration = module.emr.security_configuration_name
    emr_subnet_id              = module.emr.subnet_id
    redshift_cluster_id        = module.redshift.cluster_identifier
    redshift_database          = module.redshift.database_name
    redshift_db_user           = var.redshift_etl_user
    redshift_copy_role_arn     = module.iam.role_arns["redshift-copy"]
  }
}

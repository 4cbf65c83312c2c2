# One environment of the platform: the seven modules composed, wired by their outputs.
# dev/ uses the same main.tf, outputs.tf and versions.tf (symbolic links); only variables.tf
# (defaults sized for the environment), terraform.tfvars and backend.hcl differ.

locals {
  # the repository's root, where dags/ and scripts/ live
  repo_root = "${path.root}/../../.."
}

module "naming" {
  source = "../../modules/naming"

  project = var.project
  env     = var.env
}

module "kms" {
  source = "../../modules/kms"

  name_prefix = module.naming.prefix
}

module "vpc" {
  source = "../../modules/vpc"

  name_prefix        = module.naming.prefix
  cidr_block         = var.vpc_cidr
  az_count           = var.az_count
  single_nat_gateway = var.single_nat_gateway
  kms_key_arn        = module.kms.key_arn
}

module "s3" {
  source = "../../modules/s3"

  datalake_bucket_name = module.naming.datalake_bucket
  mwaa_bucket_name     = module.naming.mwaa_bucket
  kms_key_arn          = module.kms.key_arn
  force_destroy        = var.disposable
}

module "emr" {
  source = "../../modules/emr"

  name_prefix          = module.naming.prefix
  logs_bucket_name     = module.naming.emr_logs_bucket
  datalake_bucket_name = module.s3.datalake_bucket_name
  script_source        = "${local.repo_root}/scripts/emr_aggregate_gold.py"
  kms_key_arn          = module.kms.key_arn
  subnet_id            = module.vpc.private_subnet_ids[0]
  release_label        = var.emr_release_label
  force_destroy        = var.disposable
}

module "iam" {
  source = "../../modules/iam"

  name_prefix                 = module.naming.prefix
  kms_key_arn                 = module.kms.key_arn
  datalake_bucket_arn         = module.s3.datalake_bucket_arn
  mwaa_bucket_arn             = module.s3.mwaa_bucket_arn
  emr_logs_bucket_arn         = module.emr.logs_bucket_arn
  glue_database_name          = module.naming.glue_database
  glue_crawler_name           = module.naming.glue_crawler
  glue_job_name               = module.naming.glue_job
  mwaa_environment_name       = module.naming.mwaa_environment
  redshift_cluster_identifier = module.naming.redshift_cluster
  redshift_database_name      = module.naming.redshift_database
  redshift_etl_user           = var.redshift_etl_user
}

module "glue" {
  source = "../../modules/glue"

  name_prefix          = module.naming.prefix
  database_name        = module.naming.glue_database
  crawler_name         = module.naming.glue_crawler
  job_name             = module.naming.glue_job
  role_arn             = module.iam.role_arns["glue"]
  datalake_bucket_name = module.s3.datalake_bucket_name
  script_source        = "${local.repo_root}/scripts/glue_process_to_staging.py"
  kms_key_arn          = module.kms.key_arn
  worker_type          = var.glue_worker_type
  number_of_workers    = var.glue_number_of_workers
}

module "redshift" {
  source = "../../modules/redshift"

  name_prefix                 = module.naming.prefix
  cluster_identifier          = module.naming.redshift_cluster
  database_name               = module.naming.redshift_database
  node_type                   = var.redshift_node_type
  number_of_nodes             = var.redshift_number_of_nodes
  vpc_id                      = module.vpc.vpc_id
  vpc_cidr_block              = module.vpc.vpc_cidr_block
  subnet_ids                  = module.vpc.private_subnet_ids
  s3_prefix_list_id           = module.vpc.s3_prefix_list_id
  copy_role_arn               = module.iam.role_arns["redshift-copy"]
  kms_key_arn                 = module.kms.key_arn
  skip_final_snapshot         = var.disposable
  secret_recovery_window_days = var.disposable ? 0 : 30
}

module "mwaa" {
  source = "../../modules/mwaa"

  environment_name    = module.naming.mwaa_environment
  airflow_version     = var.airflow_version
  environment_class   = var.mwaa_environment_class
  min_workers         = var.mwaa_min_workers
  max_workers         = var.mwaa_max_workers
  execution_role_arn  = module.iam.role_arns["mwaa"]
  source_bucket_name  = module.s3.mwaa_bucket_name
  source_bucket_arn   = module.s3.mwaa_bucket_arn
  dag_source          = "${local.repo_root}/dags/prepare_data_nyc.py"
  requirements_source = "${local.repo_root}/dags/requirements.txt"
  vpc_id              = module.vpc.vpc_id
  private_subnet_ids  = module.vpc.private_subnet_ids
}

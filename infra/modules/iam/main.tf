# Least-privilege roles of the platform. Every action is named (no wildcard actions, no iam:*);
# every resource is an ARN of the platform (its buckets and prefixes, its Glue database, crawler
# and job, its Redshift cluster, its MWAA environment, its KMS key). "*" appears only for actions
# that AWS does not scope to a resource (EC2 Describe*, cloudwatch:PutMetricData, ...), and then
# with a condition where AWS offers one.
#
#   <prefix>-glue               Glue crawler and job: raw/ -> staging/
#   <prefix>-emr-service-role   EMR service role: launches the DAG's job flow in the private subnet
#   <prefix>-emr-instance-role  role of the EMR instance profile: staging/ -> gold/, cluster logs
#   <prefix>-redshift-copy      attached to the Redshift cluster: COPY from gold/
#   <prefix>-mwaa               MWAA execution role: runs the DAG's tasks

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition

  arn_prefix = {
    glue     = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
    logs     = "arn:${local.partition}:logs:${local.region}:${local.account_id}"
    redshift = "arn:${local.partition}:redshift:${local.region}:${local.account_id}"
    emr      = "arn:${local.partition}:elasticmapreduce:${local.region}:${local.account_id}"
    ec2      = "arn:${local.partition}:ec2:${local.region}:${local.account_id}"
  }

  glue_catalog_arns = [
    "${local.arn_prefix.glue}:catalog",
    "${local.arn_prefix.glue}:database/${var.glue_database_name}",
    "${local.arn_prefix.glue}:table/${var.glue_database_name}/*",
  ]
  glue_log_arns = [
    "${local.arn_prefix.logs}:log-group:/aws-glue/*",
    "${local.arn_prefix.logs}:log-group:/aws-glue/*:log-stream:*",
  ]
  datalake_objects     = { for p in ["raw", "staging", "gold", "scripts", "tmp"] : p => "${var.datalake_bucket_arn}/${p}/*" }
  redshift_cluster_arn = "${local.arn_prefix.redshift}:cluster:${var.redshift_cluster_identifier}"

  # service principals allowed to assume each role
  role_services = {
    glue                = ["glue.amazonaws.com"]
    "emr-service-role"  = ["elasticmapreduce.amazonaws.com"]
    "emr-instance-role" = ["ec2.amazonaws.com"]
    "redshift-copy"     = ["redshift.amazonaws.com"]
    mwaa                = ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]
  }
  role_policies = {
    glue                = data.aws_iam_policy_document.glue.json
    "emr-service-role"  = data.aws_iam_policy_document.emr_service.json
    "emr-instance-role" = data.aws_iam_policy_document.emr_instance.json
    "redshift-copy"     = data.aws_iam_policy_document.redshift_copy.json
    mwaa                = data.aws_iam_policy_document.mwaa.json
  }
}

data "aws_iam_policy_document" "assume" {
  for_each = local.role_services

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = each.value
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.role_services

  name               = "${var.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume[each.key].json
}

resource "aws_iam_role_policy" "this" {
  for_each = local.role_policies

  name   = "least-privilege"
  role   = aws_iam_role.this[each.key].id
  policy = each.value
}

resource "aws_iam_instance_profile" "emr_instance" {
  name = "${var.name_prefix}-emr-instance-profile"
  role = aws_iam_role.this["emr-instance-role"].name
}

# --- shared statements ---------------------------------------------------------------------------

# Every role reads or writes data encrypted with the platform key.
data "aws_iam_policy_document" "use_data_key" {
  statement {
    sid = "UsePlatformDataKey"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
    ]
    resources = [var.kms_key_arn]
  }
}

# --- Glue crawler and job ------------------------------------------------------------------------

data "aws_iam_policy_document" "glue" {
  source_policy_documents = [data.aws_iam_policy_document.use_data_key.json]

  statement {
    sid       = "ListDataLake"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [var.datalake_bucket_arn]
  }
  statement {
    sid     = "ReadRawScriptsStaging"
    actions = ["s3:GetObject"]
    resources = [
      local.datalake_objects.raw,
      local.datalake_objects.scripts,
      local.datalake_objects.staging,
      local.datalake_objects.tmp,
    ]
  }
  statement {
    sid       = "WriteStagingAndTemp"
    actions   = ["s3:DeleteObject", "s3:PutObject"]
    resources = [local.datalake_objects.staging, local.datalake_objects.tmp]
  }
  statement {
    sid = "MaintainPlatformCatalog"
    actions = [
      "glue:BatchCreatePartition",
      "glue:BatchGetPartition",
      "glue:CreatePartition",
      "glue:CreateTable",
      "glue:GetDatabase",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:GetTable",
      "glue:GetTables",
      "glue:UpdatePartition",
      "glue:UpdateTable",
    ]
    resources = local.glue_catalog_arns
  }
  statement {
    sid = "WriteGlueLogs"
    actions = [
      "logs:AssociateKmsKey",
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = local.glue_log_arns
  }
  statement {
    sid       = "PublishGlueMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource type; limited to Glue's namespace below
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue"]
    }
  }
}

# --- EMR service role ----------------------------------------------------------------------------

data "aws_iam_policy_document" "emr_service" {
  source_policy_documents = [data.aws_iam_policy_document.use_data_key.json]

  statement {
    sid = "DescribeEc2"
    actions = [
      "ec2:DescribeAccountAttributes",
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeCapacityReservations",
      "ec2:DescribeDhcpOptions",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceStatus",
      "ec2:DescribeInstanceTypeOfferings",
      "ec2:DescribeInstances",
      "ec2:DescribeLaunchTemplates",
      "ec2:DescribeNetworkAcls",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribePlacementGroups",
      "ec2:DescribePrefixLists",
      "ec2:DescribeRouteTables",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSpotInstanceRequests",
      "ec2:DescribeSpotPriceHistory",
      "ec2:DescribeSubnets",
      "ec2:DescribeTags",
      "ec2:DescribeVolumeStatus",
      "ec2:DescribeVolumes",
      "ec2:DescribeVpcEndpointServices",
      "ec2:DescribeVpcEndpoints",
      "ec2:DescribeVpcs",
    ]
    resources = ["*"] # EC2 Describe* actions have no resource type
  }
  statement {
    sid       = "DescribeVpcAttributesOfThisAccountAndRegion"
    actions   = ["ec2:DescribeVpcAttribute"]
    resources = ["${local.arn_prefix.ec2}:vpc/*"]
  }
  statement {
    sid = "RunClusterInstancesInThisAccountAndRegion"
    actions = [
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:CancelSpotInstanceRequests",
      "ec2:CreateFleet",
      "ec2:CreateLaunchTemplate",
      "ec2:CreateLaunchTemplateVersion",
      "ec2:CreateNetworkInterface",
      "ec2:CreateSecurityGroup",
      "ec2:CreateTags",
      "ec2:DeleteLaunchTemplate",
      "ec2:DeleteNetworkInterface",
      "ec2:DeleteSecurityGroup",
      "ec2:DeleteTags",
      "ec2:DeleteVolume",
      "ec2:DetachNetworkInterface",
      "ec2:DetachVolume",
      "ec2:ModifyInstanceAttribute",
      "ec2:RequestSpotInstances",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:RunInstances",
      "ec2:TerminateInstances",
    ]
    resources = [
      "${local.arn_prefix.ec2}:*",
      "arn:${local.partition}:ec2:${local.region}::image/*", # public EMR AMIs have no account
    ]
  }
  statement {
    sid       = "PassInstanceRoleToEc2"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.this["emr-instance-role"].arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }
  statement {
    sid       = "GrantEbsEncryptionWithPlatformKey"
    actions   = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
    resources = [var.kms_key_arn]
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
  statement {
    sid       = "ManageAutoScalingAlarms"
    actions   = ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"]
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*"]
  }
}

# --- EMR instance profile ------------------------------------------------------------------------

data "aws_iam_policy_document" "emr_instance" {
  source_policy_documents = [data.aws_iam_policy_document.use_data_key.json]

  statement {
    sid       = "ListDataLake"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [var.datalake_bucket_arn]
  }
  statement {
    sid       = "ReadStagingScriptsGold"
    actions   = ["s3:GetObject"]
    resources = [local.datalake_objects.staging, local.datalake_objects.scripts, local.datalake_objects.gold]
  }
  statement {
    sid       = "WriteGold"
    actions   = ["s3:DeleteObject", "s3:PutObject"]
    resources = [local.datalake_objects.gold]
  }
  statement {
    sid       = "WriteClusterLogs"
    actions   = ["s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:PutObject"]
    resources = [var.emr_logs_bucket_arn, "${var.emr_logs_bucket_arn}/*"]
  }
  statement {
    sid     = "ReadEmrArtifactsOfThisRegion"
    actions = ["s3:GetObject"]
    resources = [
      "arn:${local.partition}:s3:::${local.region}.elasticmapreduce/*",
      "arn:${local.partition}:s3:::repo.${local.region}.emr.amazonaws.com/*",
    ]
  }
  statement {
    sid       = "ReadPlatformCatalog"
    actions   = ["glue:GetDatabase", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"]
    resources = local.glue_catalog_arns
  }
}

# --- Redshift COPY -------------------------------------------------------------------------------

data "aws_iam_policy_document" "redshift_copy" {
  source_policy_documents = [data.aws_iam_policy_document.use_data_key.json]

  statement {
    sid       = "ListDataLake"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [var.datalake_bucket_arn]
  }
  statement {
    sid       = "ReadGold"
    actions   = ["s3:GetObject"]
    resources = [local.datalake_objects.gold]
  }
}

# --- MWAA execution role -------------------------------------------------------------------------

data "aws_iam_policy_document" "mwaa" {
  source_policy_documents = [data.aws_iam_policy_document.use_data_key.json]

  statement {
    sid       = "PublishAirflowMetrics"
    actions   = ["airflow:PublishMetrics"]
    resources = ["arn:${local.partition}:airflow:${local.region}:${local.account_id}:environment/${var.mwaa_environment_name}"]
  }
  statement {
    sid = "ReadDagsAndRequirements"
    actions = [
      "s3:GetBucketLocation",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketVersioning",
      "s3:GetEncryptionConfiguration",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:ListBucket",
      "s3:ListBucketVersions",
    ]
    resources = [var.mwaa_bucket_arn, "${var.mwaa_bucket_arn}/*"]
  }
  statement {
    sid       = "CheckAccountPublicAccessBlock"
    actions   = ["s3:GetAccountPublicAccessBlock"]
    resources = ["*"] # account-level setting, no resource type
  }
  statement {
    sid = "WriteAirflowLogs"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:GetLogEvents",
      "logs:GetLogGroupFields",
      "logs:GetLogRecord",
      "logs:GetQueryResults",
      "logs:PutLogEvents",
    ]
    resources = [
      "${local.arn_prefix.logs}:log-group:airflow-${var.mwaa_environment_name}-*",
      "${local.arn_prefix.logs}:log-group:airflow-${var.mwaa_environment_name}-*:log-stream:*",
    ]
  }
  statement {
    sid       = "FindLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"] # DescribeLogGroups has no resource type
  }
  statement {
    sid       = "PublishAirflowCloudWatchMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource type; limited to MWAA's namespace below
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["AmazonMWAA"]
    }
  }
  statement {
    sid = "UseMwaaCeleryQueue"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    # the queue lives in an account owned by MWAA, hence no account id
    resources = ["arn:${local.partition}:sqs:${local.region}:*:airflow-celery-*"]
  }
  statement {
    sid           = "UseMwaaOwnedKeyForCeleryQueue"
    actions       = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    not_resources = ["arn:${local.partition}:kms:*:${local.account_id}:key/*"]
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["sqs.${local.region}.amazonaws.com"]
    }
  }

  # the DAG's tasks, in pipeline order
  statement {
    sid       = "SenseRawAndListDataLake"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [var.datalake_bucket_arn]
  }
  statement {
    sid       = "ReadRaw"
    actions   = ["s3:GetObject"]
    resources = [local.datalake_objects.raw]
  }
  statement {
    sid       = "RunPlatformCrawler"
    actions   = ["glue:GetCrawler", "glue:GetCrawlerMetrics", "glue:StartCrawler"]
    resources = ["${local.arn_prefix.glue}:crawler/${var.glue_crawler_name}"]
  }
  statement {
    sid       = "RunPlatformGlueJob"
    actions   = ["glue:BatchStopJobRun", "glue:GetJob", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"]
    resources = ["${local.arn_prefix.glue}:job/${var.glue_job_name}"]
  }
  statement {
    sid       = "ReadGlueJobLogs"
    actions   = ["logs:FilterLogEvents", "logs:GetLogEvents"]
    resources = local.glue_log_arns
  }
  statement {
    sid       = "CreateJobFlow"
    actions   = ["elasticmapreduce:RunJobFlow"]
    resources = ["*"] # RunJobFlow has no resource type (the cluster does not exist yet)
  }
  statement {
    sid = "OperateJobFlowsOfThisAccountAndRegion"
    actions = [
      "elasticmapreduce:AddJobFlowSteps",
      "elasticmapreduce:AddTags",
      "elasticmapreduce:DescribeCluster",
      "elasticmapreduce:DescribeStep",
      "elasticmapreduce:ListSteps",
      "elasticmapreduce:PutAutoTerminationPolicy",
      "elasticmapreduce:TerminateJobFlows",
    ]
    resources = ["${local.arn_prefix.emr}:cluster/*"]
  }
  statement {
    sid       = "PassEmrServiceRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.this["emr-service-role"].arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["elasticmapreduce.amazonaws.com"]
    }
  }
  statement {
    sid       = "PassEmrInstanceRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.this["emr-instance-role"].arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }
  statement {
    sid       = "LoadWarehouseThroughDataApi"
    actions   = ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement"]
    resources = [local.redshift_cluster_arn]
  }
  statement {
    sid = "FollowOwnDataApiStatements"
    actions = [
      "redshift-data:CancelStatement",
      "redshift-data:DescribeStatement",
      "redshift-data:GetStatementResult",
      "redshift-data:ListStatements",
    ]
    resources = ["*"] # statements have no ARN; limited to the statements this role started
    condition {
      test     = "StringEquals"
      variable = "redshift-data:statement-owner-iam-userid"
      values   = ["$${aws:userid}"]
    }
  }
  statement {
    sid     = "TemporaryCredentialsForEtlUser"
    actions = ["redshift:GetClusterCredentials"]
    resources = [
      "${local.arn_prefix.redshift}:dbuser:${var.redshift_cluster_identifier}/${var.redshift_etl_user}",
      "${local.arn_prefix.redshift}:dbname:${var.redshift_cluster_identifier}/${var.redshift_database_name}",
    ]
  }
  statement {
    sid       = "DescribeWarehouse"
    actions   = ["redshift:DescribeClusters"]
    resources = [local.redshift_cluster_arn]
  }
}

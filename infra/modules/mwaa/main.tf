# Airflow on MWAA running the DAG: the environment in two private subnets with a private web
# server, every log kind (task logs included) sent to CloudWatch, the DAG file and the requirements
# file uploaded from dags/ to the MWAA bucket. The execution role comes from the iam module.

resource "aws_s3_object" "dag" {
  bucket      = var.source_bucket_name
  key         = "dags/${basename(var.dag_source)}"
  source      = var.dag_source
  source_hash = filemd5(var.dag_source) # not etag: an SSE-KMS object's ETag is not its MD5
}

resource "aws_s3_object" "requirements" {
  bucket      = var.source_bucket_name
  key         = "requirements.txt"
  source      = var.requirements_source
  source_hash = filemd5(var.requirements_source) # not etag: an SSE-KMS object's ETag is not its MD5
}

resource "aws_security_group" "this" {
  name        = var.environment_name
  description = "MWAA ${var.environment_name}: its own components talk to each other, AWS APIs over HTTPS"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "self" {
  security_group_id            = aws_security_group.this.id
  description                  = "MWAA components (scheduler, workers, web server, metadata database)"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.this.id
}

resource "aws_vpc_security_group_egress_rule" "self" {
  security_group_id            = aws_security_group.this.id
  description                  = "MWAA components (scheduler, workers, web server, metadata database)"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.this.id
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "AWS APIs (Glue, EMR, Redshift Data, S3, CloudWatch, SQS) through the NAT and the S3 endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_mwaa_environment" "this" {
  name               = var.environment_name
  airflow_version    = var.airflow_version
  environment_class  = var.environment_class
  min_workers        = var.min_workers
  max_workers        = var.max_workers
  execution_role_arn = var.execution_role_arn

  source_bucket_arn              = var.source_bucket_arn
  dag_s3_path                    = "dags/"
  requirements_s3_path           = aws_s3_object.requirements.key
  requirements_s3_object_version = aws_s3_object.requirements.version_id

  webserver_access_mode = var.webserver_access_mode
  airflow_configuration_options = {
    "core.load_examples" = "false"
  }

  network_configuration {
    security_group_ids = [aws_security_group.this.id]
    subnet_ids         = slice(var.private_subnet_ids, 0, 2) # MWAA takes exactly two
  }

  logging_configuration {
    task_logs {
      enabled   = true
      log_level = var.task_log_level
    }
    scheduler_logs {
      enabled   = true
      log_level = "WARNING"
    }
    dag_processing_logs {
      enabled   = true
      log_level = "WARNING"
    }
    webserver_logs {
      enabled   = true
      log_level = "WARNING"
    }
    worker_logs {
      enabled   = true
      log_level = "WARNING"
    }
  }

  depends_on = [aws_s3_object.dag]
}

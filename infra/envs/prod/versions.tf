terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.6, < 4.0"
    }
  }

  # Remote state in S3 with a DynamoDB lock table. Partial configuration: the bucket, key, region
  # and table come from `terraform init -backend-config=backend.hcl` (see backend.hcl.example and
  # infra/README.md), so no account-specific name is written here.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      Project     = var.project
      Environment = var.env
      ManagedBy   = "terraform"
    })
  }
}

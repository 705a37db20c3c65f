# BigCorp's data drop: an S3 bucket encrypted with our KMS key, and a role
# that BigCorp's IAM user assumes to read and write objects in it.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = "bigcorp-data-drop"
      ManagedBy = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}

# BigCorp's IAM user. It already exists in the account; we only look it up.
data "aws_iam_user" "client" {
  user_name = var.client_user_name
}

variable "bucket_name" {
  description = "The bucket's name (global across AWS)."
  type        = string
}

variable "kms_key_arn" {
  description = "The KMS key for default encryption; null means S3-managed keys (AES256)."
  type        = string
  default     = null
}

resource "aws_s3_bucket" "this" {
  bucket        = var.bucket_name
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # No S3 Bucket Key: every write and read then asks KMS as the caller, so a
    # role without kms:GenerateDataKey / kms:Decrypt is refused at once.
    bucket_key_enabled = false
  }
}

output "bucket_name" {
  description = "The bucket's name."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "The bucket's ARN (objects are under ARN/*)."
  value       = aws_s3_bucket.this.arn
}

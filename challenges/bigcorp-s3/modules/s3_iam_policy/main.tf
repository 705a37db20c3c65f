# Two managed policies for one bucket: read (list + get) and write (put).

variable "name_prefix" {
  description = "Prefix of the policies' names."
  type        = string
}

variable "bucket_arn" {
  description = "The bucket's ARN."
  type        = string
}

variable "kms_key_arn" {
  description = "The KMS key that encrypts the bucket's objects, if any."
  type        = string
  default     = null
}

data "aws_iam_policy_document" "read" {
  statement {
    sid       = "ListObjects"
    actions   = ["s3:ListBucket"]
    resources = ["${var.bucket_arn}/*"]
  }

  statement {
    sid       = "ReadObjects"
    actions   = ["s3:GetObject"]
    resources = [var.bucket_arn]
  }

  statement {
    sid       = "FindTheBucket"
    actions   = ["s3:ListAllMyBuckets", "s3:GetBucketLocation"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "DecryptObjects"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

data "aws_iam_policy_document" "write" {
  statement {
    sid       = "WriteObjects"
    actions   = ["s3:PutObject"]
    resources = ["${var.bucket_arn}/*"]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "EncryptObjects"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_policy" "read" {
  name        = "${var.name_prefix}-read"
  description = "List and read the objects of ${var.bucket_arn}"
  policy      = data.aws_iam_policy_document.read.json
}

resource "aws_iam_policy" "write" {
  name        = "${var.name_prefix}-write"
  description = "Write objects into ${var.bucket_arn}"
  policy      = data.aws_iam_policy_document.write.json
}

output "read_policy_arn" {
  description = "The read policy's ARN."
  value       = aws_iam_policy.read.arn
}

output "write_policy_arn" {
  description = "The write policy's ARN."
  value       = aws_iam_policy.write.arn
}

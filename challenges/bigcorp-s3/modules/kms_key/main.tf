variable "alias_name" {
  description = "The key's alias, starting with alias/."
  type        = string
}

variable "description" {
  description = "What the key is for."
  type        = string
}

variable "account_id" {
  description = "The account that owns the key; its IAM policies decide who may use it."
  type        = string
}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "AccountIAMPoliciesDecide"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "this" {
  name          = var.alias_name
  target_key_id = aws_kms_key.this.key_id
}

output "key_arn" {
  description = "The key's ARN."
  value       = aws_kms_key.this.arn
}

output "alias_name" {
  description = "The key's alias."
  value       = aws_kms_alias.this.name
}

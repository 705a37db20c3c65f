# A role trust policy: who may assume the role.

variable "trusted_arns" {
  description = "ARNs of the IAM users or roles that may assume the role."
  type        = list(string)

  validation {
    condition     = length(var.trusted_arns) > 0
    error_message = "A trust policy needs at least one principal."
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "TrustedPrincipals"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = var.trusted_arns
    }
  }
}

output "json" {
  description = "The trust policy document."
  value       = data.aws_iam_policy_document.trust.json
}

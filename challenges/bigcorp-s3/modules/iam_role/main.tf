variable "name" {
  description = "The role's name."
  type        = string
}

variable "description" {
  description = "What the role is for."
  type        = string
  default     = ""
}

variable "assume_role_policy" {
  description = "The trust policy (JSON): who may assume the role."
  type        = string
}

variable "policy_arns" {
  description = "Managed policies attached to the role."
  type        = list(string)
  default     = []
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = var.description
  assume_role_policy   = var.assume_role_policy
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "this" {
  count = length(var.policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = var.policy_arns[count.index]
}

output "arn" {
  description = "The role's ARN."
  value       = aws_iam_role.this.arn
}

output "name" {
  description = "The role's name."
  value       = aws_iam_role.this.name
}

variable "region" {
  description = "AWS region for every resource."
  type        = string
  default     = "us-east-1"
}

variable "name_suffix" {
  description = "Appended to resource names so that they are unique (S3 bucket names are global). Set in terraform.tfvars."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$", var.name_suffix))
    error_message = "name_suffix must be 3-22 characters: lower-case letters, digits and dashes."
  }
}

variable "client_user_name" {
  description = "The IAM user BigCorp signs in with."
  type        = string
  default     = "terraform-challenge"
}

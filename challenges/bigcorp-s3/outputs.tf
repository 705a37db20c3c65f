output "bucket_name" {
  description = "The data drop bucket."
  value       = module.s3_bucket.bucket_name
}

output "role_arn" {
  description = "The role BigCorp assumes."
  value       = module.client_role.arn
}

output "kms_key_arn" {
  description = "The key that encrypts the bucket."
  value       = module.kms_key.key_arn
}

output "seed_object_key" {
  description = "The object Terraform put in the bucket."
  value       = aws_s3_object.seed.key
}

output "region" {
  description = "The region of every resource."
  value       = var.region
}

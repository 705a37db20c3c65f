# The role BigCorp assumes, and what it may do.

module "client_trust" {
  source = "./modules/trust_policy"

  # TODO: this role is for BigCorp: trust BigCorp's IAM user (its ARN), not our deploy identity.
  trusted_arns = [data.aws_caller_identity.current.arn]
}

module "s3_policies" {
  source = "./modules/s3_iam_policy"

  name_prefix = "bigcorp-data-drop-${var.name_suffix}"
  bucket_arn  = module.s3_bucket.bucket_arn
}

module "client_role" {
  source = "./modules/iam_role"

  name               = "bigcorp-client-${var.name_suffix}"
  description        = "Assumed by BigCorp to read and write its data drop"
  assume_role_policy = module.client_trust.json

  # TODO: BigCorp must also write objects: attach the write policy too.
  policy_arns = [module.s3_policies.read_policy_arn]
}

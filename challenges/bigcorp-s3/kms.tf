# The data key shared with our ETL processes. Everything in the bucket is
# encrypted with it.
module "kms_key" {
  source = "./modules/kms_key"

  alias_name  = "alias/bigcorp-data-${var.name_suffix}"
  description = "Encrypts the BigCorp data drop bucket"
  account_id  = data.aws_caller_identity.current.account_id
}

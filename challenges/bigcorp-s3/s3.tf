module "s3_bucket" {
  source = "./modules/s3_bucket"

  bucket_name = "bigcorp-data-drop-${var.name_suffix}"

  # TODO: BigCorp's data must be encrypted by default with our KMS key (see kms.tf).
}

# A first object, so BigCorp can see that the drop works.
resource "aws_s3_object" "seed" {
  bucket  = module.s3_bucket.bucket_name
  key     = "welcome/README.txt"
  content = "Welcome to the BigCorp data drop.\n"

  # Written like the ETL writes: with our KMS key.
  server_side_encryption = "aws:kms"
  kms_key_id             = module.kms_key.key_arn
}

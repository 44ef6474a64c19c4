variable "bucket_arns" {
  description = "Buckets pipelines read and write (data and models), by purpose: { data = arn, models = arn }."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "The stack's key, which encrypts those buckets."
  type        = string
}

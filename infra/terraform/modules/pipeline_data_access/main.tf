# What running a pipeline needs from AWS, for every role that runs one (the controller's tasks, the
# Spark nodes): the stack's data and models buckets and their key, nothing else. A policy document only;
# each role attaches it, adding what is its own.

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ListStackBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = values(var.bucket_arns)
  }
  statement {
    sid       = "ReadWriteStackObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [for arn in values(var.bucket_arns) : "${arn}/*"]
  }
  statement {
    sid       = "UseStackKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
}

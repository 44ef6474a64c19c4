output "kms_key_arn" {
  description = "The stack's KMS key: give it to Treeline as TREELINE_S3_SSE_KMS_KEY_ID and to the other modules."
  value       = aws_kms_key.this.arn
}

output "data_bucket" {
  description = "Bucket for ingested and derived datasets (datasets: path: s3a://<bucket>/...)."
  value       = aws_s3_bucket.this["data"].id
}

output "models_bucket" {
  description = "Bucket the push step publishes to (push: params: bucket)."
  value       = aws_s3_bucket.this["models"].id
}

output "mlflow_artifacts_bucket" {
  description = "Bucket behind MLflow's artifact proxy (mlflow server --artifacts-destination s3://<bucket>)."
  value       = aws_s3_bucket.this["mlflow_artifacts"].id
}

output "bucket_arns" {
  description = "ARNs of the data, models and mlflow_artifacts buckets, by purpose."
  value       = { for k, b in aws_s3_bucket.this : k => b.arn }
}

output "access_logs_bucket" {
  description = "Bucket holding the S3 server access logs (also used for ALB and EMR logs under their own prefixes)."
  value       = aws_s3_bucket.access_logs.id
}

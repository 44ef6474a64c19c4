output "mlflow_url" {
  description = "MLFLOW_TRACKING_URI for Treeline and the address reviewers open."
  value       = module.mlflow.url
}

output "mlflow_auth_secret_arn" {
  description = "Fill once before the first deployment (docs/infrastructure.md)."
  value       = module.mlflow.auth_secret_arn
}

output "data_bucket" {
  description = "Datasets: s3a://<bucket>/... in pipeline specs."
  value       = module.storage.data_bucket
}

output "models_bucket" {
  description = "The push step's bucket (serving reads champion.json and routing.json there)."
  value       = module.storage.models_bucket
}

output "kms_key_arn" {
  description = "TREELINE_S3_SSE_KMS_KEY_ID."
  value       = module.storage.kms_key_arn
}

output "emr_cluster_id" {
  description = "The Spark cluster."
  value       = module.spark.cluster_id
}

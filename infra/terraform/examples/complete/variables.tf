variable "name" {
  description = "Stack name; prefixes every resource and bucket (bucket names are global: make it unique)."
  type        = string
  default     = "treeline-prod"
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "availability_zones" {
  description = "Two zones of the region."
  type        = list(string)
  default     = ["eu-west-1a", "eu-west-1b"]
}

variable "mlflow_image" {
  description = "The MLflow server image built from infra/docker/mlflow."
  type        = string
}

variable "controller_image" {
  description = "The Treeline controller image (runnable distribution, Spark client for the EMR cluster, your pipelines)."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for MLflow's host name."
  type        = string
}

variable "oidc" {
  description = "Your identity provider for the MLflow UI (issuer, endpoints, client id)."
  type = object({
    issuer                 = string
    authorization_endpoint = string
    token_endpoint         = string
    user_info_endpoint     = string
    client_id              = string
  })
}

variable "oidc_client_secret" {
  description = "The OIDC client's secret."
  type        = string
  sensitive   = true
}

variable "mlflow_credentials_secret_arn" {
  description = "Secret with the MLflow user the controller logs runs as ({\"username\", \"password\"}); create the user in MLflow first."
  type        = string
}

variable "gpu_instance_count" {
  description = "GPU task nodes in the EMR cluster (0 for CPU only)."
  type        = number
  default     = 2
}

variable "name" {
  description = "Prefix of every resource name, e.g. treeline-prod."
  type        = string
}

variable "image" {
  description = "MLflow server image: infra/docker/mlflow (MLflow as pinned in requirements/mlflow-server.txt, with psycopg2) pushed to your registry."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the service."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets of the load balancer (two or more zones)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks and the database."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate of the MLflow host name (HTTPS only; there is no plain-HTTP listener)."
  type        = string
}

variable "allowed_cidr_blocks" {
  description = "Who may reach the load balancer on 443."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "oidc" {
  description = "Your identity provider, for people using the UI: the load balancer signs them in before any page. API clients (Treeline, the MLflow client) use /api/ with MLflow's basic auth instead."
  type = object({
    issuer                 = string
    authorization_endpoint = string
    token_endpoint         = string
    user_info_endpoint     = string
    client_id              = string
  })
}

variable "oidc_client_secret" {
  description = "The OIDC client's secret (the load balancer needs it in its configuration; it is kept in Terraform state, so protect the state)."
  type        = string
  sensitive   = true
}

variable "artifacts_bucket" {
  description = "Bucket of MLflow's artifacts (the storage module's mlflow_artifacts_bucket)."
  type        = string
}

variable "access_logs_bucket" {
  description = "Bucket for the load balancer's access logs (the storage module's access_logs_bucket)."
  type        = string
}

variable "kms_key_arn" {
  description = "The stack's KMS key (logs, secrets, database, artifacts)."
  type        = string
}

variable "waf_acl_arn" {
  description = "WAFv2 web ACL to put in front of the load balancer (your organisation's), or null."
  type        = string
  default     = null
}

variable "desired_count" {
  description = "MLflow server tasks (stateless: the database and S3 hold everything)."
  type        = number
  default     = 2
}

variable "cpu" {
  description = "Task CPU units."
  type        = number
  default     = 1024
}

variable "memory" {
  description = "Task memory (MiB)."
  type        = number
  default     = 2048
}

variable "log_retention_days" {
  description = "How long the server's logs are kept."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

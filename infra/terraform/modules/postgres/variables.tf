variable "name" {
  description = "Identifier of the database instance, e.g. treeline-prod-mlflow."
  type        = string
}

variable "database_name" {
  description = "The database created on the instance."
  type        = string
}

variable "username" {
  description = "Master user name. Its password is generated and kept by RDS in Secrets Manager (never in Terraform state)."
  type        = string
  default     = "treeline"
}

variable "vpc_id" {
  description = "VPC of the instance."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets in two or more zones."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups whose members may connect on 5432 (the services that use the database)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights and the master password secret."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL major.minor version."
  type        = string
  default     = "16.4"
}

variable "instance_class" {
  description = "Instance size."
  type        = string
  default     = "db.t4g.medium"
}

variable "allocated_storage_gb" {
  description = "Initial storage; grows automatically up to 5 times this."
  type        = number
  default     = 50
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

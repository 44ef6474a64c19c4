variable "name" {
  description = "Prefix of every resource name; bucket names are <name>-data, <name>-models, <name>-mlflow-artifacts, <name>-access-logs."
  type        = string
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object version is kept before it expires (the undo window)."
  type        = number
  default     = 90
}

variable "data_transition_days" {
  description = "Days after which objects in the data bucket move to S3 Standard-IA (raw and partitioned history is read rarely)."
  type        = number
  default     = 60
}

variable "access_log_retention_days" {
  description = "Days S3 server access logs are kept."
  type        = number
  default     = 365
}

variable "reader_role_arns" {
  description = "Extra roles (e.g. a serving fleet) allowed to read the models bucket and decrypt with the key."
  type        = list(string)
  default     = []
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets (test stacks only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

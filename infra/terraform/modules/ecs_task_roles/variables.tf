variable "name" {
  description = "Prefix of the two roles' names, e.g. treeline-prod-mlflow."
  type        = string
}

variable "startup_secret_arns" {
  description = "Secrets the container starts with (ECS secrets): the only ones the execution role may read."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "The key those secrets are encrypted with."
  type        = string
}

variable "task_policy_json" {
  description = "What the running container may do: the task role's only policy."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

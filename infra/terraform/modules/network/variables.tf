variable "name" {
  description = "Prefix of every resource name, e.g. treeline-prod."
  type        = string
}

variable "cidr_block" {
  description = "The VPC's address range."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Two or more zones: one public and one private subnet in each (RDS Multi-AZ and the ALB need two)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the flow log group (the storage module's key)."
  type        = string
}

variable "log_retention_days" {
  description = "How long VPC flow logs are kept."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

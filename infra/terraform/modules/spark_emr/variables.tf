variable "name" {
  description = "Prefix of every resource name, e.g. treeline-prod."
  type        = string
}

variable "release_label" {
  description = "EMR release: emr-7.x ships Spark 3.5 on Scala 2.12, which Treeline's runnable jar is built for."
  type        = string
  default     = "emr-7.5.0"
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_id" {
  description = "Private subnet of the cluster (EMR runs an instance group in one zone)."
  type        = string
}

variable "client_security_group_ids" {
  description = "Security groups allowed to submit to YARN and the Spark history server (the controller's tasks)."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "The stack's KMS key: EBS volumes, local disks and S3 data written by the cluster."
  type        = string
}

variable "bucket_arns" {
  description = "Buckets the cluster reads and writes (data and models), by purpose: { data = arn, models = arn }."
  type        = map(string)
}

variable "log_bucket" {
  description = "Bucket for EMR's logs (the storage module's access_logs_bucket)."
  type        = string
}

variable "master_instance_type" {
  description = "Primary node type."
  type        = string
  default     = "m6i.xlarge"
}

variable "core_instance_type" {
  description = "Core nodes (HDFS and executors)."
  type        = string
  default     = "m6i.2xlarge"
}

variable "core_instance_count" {
  description = "Number of core nodes."
  type        = number
  default     = 2
}

variable "gpu_instance_type" {
  description = "Task nodes with NVIDIA GPUs for XGBoost with device: cuda (the gpu build, mvn -Pgpu)."
  type        = string
  default     = "g5.2xlarge"
}

variable "gpu_instance_count" {
  description = "GPU task nodes; 0 for a CPU-only cluster."
  type        = number
  default     = 2
}

variable "gpu_bid_price" {
  description = "Spot bid for the GPU task nodes (USD per hour), or null for on-demand."
  type        = string
  default     = null
}

variable "idle_timeout_seconds" {
  description = "Terminate the cluster after this long without steps or jobs (nightly training need not keep it up)."
  type        = number
  default     = 3600
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

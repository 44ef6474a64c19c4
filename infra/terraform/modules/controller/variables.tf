variable "name" {
  description = "Prefix of every resource name, e.g. treeline-prod."
  type        = string
}

variable "image" {
  description = "Image with Treeline's runnable distribution (cli/target/treeline.jar and lib/), a Spark client configured for your cluster (SPARK_HOME, HADOOP_CONF_DIR for YARN) and your pipeline and schedule files."
  type        = string
}

variable "schedule_file" {
  description = "Path of the schedule file inside the image; its controller.jdbc_url should read ${JDBC_URL} and user ${DB_USER}, which this module passes."
  type        = string
  default     = "/opt/treeline/pipelines/schedule.yaml"
}

variable "desired_count" {
  description = "Controllers; two or more form a Quartz cluster on the shared job store (a dead one's runs are recovered by another)."
  type        = number
  default     = 2
}

variable "cluster_arn" {
  description = "ECS cluster to run in (e.g. the mlflow module's ecs_cluster_arn)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the service."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks and the job-store database."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "The stack's KMS key."
  type        = string
}

variable "bucket_arns" {
  description = "Buckets the pipelines read and write (data and models), by purpose: { data = arn, models = arn }."
  type        = map(string)
}

variable "mlflow_url" {
  description = "MLflow tracking server (the mlflow module's url)."
  type        = string
}

variable "mlflow_credentials_secret_arn" {
  description = "Secret with {\"username\": ..., \"password\": ...} of the MLflow user the controller's runs log as."
  type        = string
}

variable "environment" {
  description = "Extra environment of the controller (e.g. TREELINE_S3_SSE_KMS_KEY_ID, TREELINE_SPARK_MASTER=yarn)."
  type        = map(string)
  default     = {}
}

variable "cpu" {
  description = "Task CPU units (client-mode Spark drivers run here; cluster mode keeps it small)."
  type        = number
  default     = 2048
}

variable "memory" {
  description = "Task memory (MiB)."
  type        = number
  default     = 8192
}

variable "log_retention_days" {
  description = "How long the controller's logs are kept."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

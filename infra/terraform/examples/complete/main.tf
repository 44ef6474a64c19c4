# A complete Treeline stack: network, buckets and key, MLflow behind an authenticated load balancer, an EMR
# Spark cluster with GPU task nodes, and two controllers sharing a PostgreSQL job store.
# terraform init && terraform apply -var-file=prod.tfvars (see terraform.tfvars.example).

module "storage" {
  source = "../../modules/storage"
  name   = var.name
}

module "network" {
  source             = "../../modules/network"
  name               = var.name
  availability_zones = var.availability_zones
  kms_key_arn        = module.storage.kms_key_arn
}

module "mlflow" {
  source             = "../../modules/mlflow"
  name               = var.name
  image              = var.mlflow_image
  vpc_id             = module.network.vpc_id
  public_subnet_ids  = module.network.public_subnet_ids
  private_subnet_ids = module.network.private_subnet_ids
  certificate_arn    = var.certificate_arn
  oidc               = var.oidc
  oidc_client_secret = var.oidc_client_secret
  artifacts_bucket   = module.storage.mlflow_artifacts_bucket
  access_logs_bucket = module.storage.access_logs_bucket
  kms_key_arn        = module.storage.kms_key_arn
}

module "controller" {
  source                        = "../../modules/controller"
  name                          = var.name
  image                         = var.controller_image
  cluster_arn                   = module.mlflow.ecs_cluster_arn
  vpc_id                        = module.network.vpc_id
  private_subnet_ids            = module.network.private_subnet_ids
  kms_key_arn                   = module.storage.kms_key_arn
  bucket_arns                   = { data = module.storage.bucket_arns["data"], models = module.storage.bucket_arns["models"] }
  mlflow_url                    = module.mlflow.url
  mlflow_credentials_secret_arn = var.mlflow_credentials_secret_arn
  environment = {
    TREELINE_SPARK_MASTER  = "yarn"
    TREELINE_S3_SSE_KMS_KEY_ID = module.storage.kms_key_arn
  }
}

module "spark" {
  source                    = "../../modules/spark_emr"
  name                      = var.name
  vpc_id                    = module.network.vpc_id
  subnet_id                 = module.network.private_subnet_ids[0]
  client_security_group_ids = [module.controller.task_security_group_id]
  kms_key_arn               = module.storage.kms_key_arn
  bucket_arns               = { data = module.storage.bucket_arns["data"], models = module.storage.bucket_arns["models"] }
  log_bucket                = module.storage.access_logs_bucket
  gpu_instance_count        = var.gpu_instance_count
}

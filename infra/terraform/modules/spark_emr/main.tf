# Spark on EMR for `treeline run --master yarn` and the controller's spark-submit: a primary node, core
# nodes and a task instance group of GPU nodes (YARN GPU scheduling on, so XGBoost with device: cuda gets
# one GPU per task). Encryption at rest with the stack's key, logs to S3, private subnet, least-privilege
# roles: EMR's managed service policy and an instance profile limited to the stack's buckets and key.

data "aws_partition" "current" {}

locals {
  p = data.aws_partition.current.partition
}

resource "aws_emr_security_configuration" "this" {
  # checkov:skip=CKV_AWS_351: in-transit TLS needs a PEM bundle from the organisation's CA (EMR has none to issue); nodes talk only inside private subnets and security groups. Add TLSCertificateConfiguration here once a bundle exists
  name = "${var.name}-spark"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = true
      EnableInTransitEncryption = false
      AtRestEncryptionConfiguration = {
        S3EncryptionConfiguration        = { EncryptionMode = "SSE-KMS", AwsKmsKey = var.kms_key_arn }
        LocalDiskEncryptionConfiguration = { EncryptionKeyProviderType = "AwsKms", AwsKmsKey = var.kms_key_arn, EnableEbsEncryption = true }
      }
    }
    InstanceMetadataServiceConfiguration = { MinimumInstanceMetadataServiceVersion = 2, HttpPutResponseHopLimit = 1 }
  })
}

resource "aws_security_group" "primary" {
  # checkov:skip=CKV2_AWS_5: attached through the cluster's ec2_attributes (emr_managed_master_security_group)
  name                   = "${var.name}-emr-primary"
  description            = "EMR primary node: YARN and history server from the controller; EMR manages intra-cluster rules"
  vpc_id                 = var.vpc_id
  revoke_rules_on_delete = true
  tags                   = var.tags
}

resource "aws_security_group" "workers" {
  # checkov:skip=CKV2_AWS_5: attached through the cluster's ec2_attributes (emr_managed_slave_security_group)
  name                   = "${var.name}-emr-workers"
  description            = "EMR core and task nodes; EMR manages intra-cluster rules"
  vpc_id                 = var.vpc_id
  revoke_rules_on_delete = true
  tags                   = var.tags
}

resource "aws_security_group" "service_access" {
  # checkov:skip=CKV2_AWS_5: attached through the cluster's ec2_attributes (service_access_security_group)
  name                   = "${var.name}-emr-service-access"
  description            = "EMR service access for clusters in private subnets; EMR manages its rules"
  vpc_id                 = var.vpc_id
  revoke_rules_on_delete = true
  tags                   = var.tags
}

# spark-submit in client or cluster mode talks to the YARN ResourceManager (8032) and the driver's
# callbacks; the history server (18080) shows finished applications.
resource "aws_vpc_security_group_ingress_rule" "yarn" {
  for_each                     = { for i, sg in var.client_security_group_ids : tostring(i) => sg }
  security_group_id            = aws_security_group.primary.id
  description                  = "YARN ResourceManager from Treeline's controller"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 8032
  to_port                      = 8032
}

resource "aws_vpc_security_group_ingress_rule" "history" {
  for_each                     = { for i, sg in var.client_security_group_ids : tostring(i) => sg }
  security_group_id            = aws_security_group.primary.id
  description                  = "Spark history server from Treeline's controller"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 18080
  to_port                      = 18080
}

# A client-mode driver runs in the controller: the YARN application master and the executors call back to
# it (spark.driver.port, the block manager) on ports Spark leaves to the kernel, from Linux's ephemeral
# range (32768-60999), which this covers.
resource "aws_vpc_security_group_ingress_rule" "driver_from_workers" {
  for_each                     = { for i, sg in var.client_security_group_ids : tostring(i) => sg }
  security_group_id            = each.value
  description                  = "Spark executors and the application master to a client-mode driver"
  referenced_security_group_id = aws_security_group.workers.id
  ip_protocol                  = "tcp"
  from_port                    = 32768
  to_port                      = 65535
}

resource "aws_vpc_security_group_ingress_rule" "driver_from_primary" {
  for_each                     = { for i, sg in var.client_security_group_ids : tostring(i) => sg }
  security_group_id            = each.value
  description                  = "The application master on the primary node to a client-mode driver"
  referenced_security_group_id = aws_security_group.primary.id
  ip_protocol                  = "tcp"
  from_port                    = 32768
  to_port                      = 65535
}

data "aws_iam_policy_document" "emr_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["elasticmapreduce.amazonaws.com"]
    }
  }
}

# The service role: EMR's own managed policy (v2 scopes it to resources tagged for EMR).
resource "aws_iam_role" "service" {
  name               = "${var.name}-emr-service"
  assume_role_policy = data.aws_iam_policy_document.emr_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "service" {
  role       = aws_iam_role.service.name
  policy_arn = "arn:${local.p}:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2"
}

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# The nodes' role: the stack's data and models buckets, the EMR log prefix and the key; nothing else.
resource "aws_iam_role" "nodes" {
  name               = "${var.name}-emr-nodes"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
  tags               = var.tags
}

module "data_access" {
  source      = "../pipeline_data_access"
  bucket_arns = var.bucket_arns
  kms_key_arn = var.kms_key_arn
}

data "aws_iam_policy_document" "nodes" {
  source_policy_documents = [module.data_access.json]
  statement {
    sid       = "WriteClusterLogs"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.p}:s3:::${var.log_bucket}/emr/${var.name}/*"]
  }
}

resource "aws_iam_role_policy" "nodes" {
  name   = "treeline-data"
  role   = aws_iam_role.nodes.id
  policy = data.aws_iam_policy_document.nodes.json
}

resource "aws_iam_instance_profile" "nodes" {
  name = "${var.name}-emr-nodes"
  role = aws_iam_role.nodes.name
}

resource "aws_emr_cluster" "this" {
  # checkov:skip=CKV_AWS_114: Kerberos needs a KDC and a realm trust; access is limited by private subnets, security groups and IAM instead
  name                              = "${var.name}-spark"
  release_label                     = var.release_label
  applications                      = ["Hadoop", "Spark"]
  service_role                      = aws_iam_role.service.arn
  security_configuration            = aws_emr_security_configuration.this.name
  log_uri                           = "s3://${var.log_bucket}/emr/${var.name}/"
  termination_protection            = false
  keep_job_flow_alive_when_no_steps = true
  visible_to_all_users              = true

  auto_termination_policy {
    idle_timeout = var.idle_timeout_seconds
  }

  ec2_attributes {
    subnet_id                         = var.subnet_id
    instance_profile                  = aws_iam_instance_profile.nodes.arn
    emr_managed_master_security_group = aws_security_group.primary.id
    emr_managed_slave_security_group  = aws_security_group.workers.id
    service_access_security_group     = aws_security_group.service_access.id
  }

  master_instance_group {
    instance_type = var.master_instance_type
    ebs_config {
      size                 = 64
      type                 = "gp3"
      volumes_per_instance = 1
    }
  }

  core_instance_group {
    instance_type  = var.core_instance_type
    instance_count = var.core_instance_count
    ebs_config {
      size                 = 256
      type                 = "gp3"
      volumes_per_instance = 1
    }
  }

  # Barrier stages (XGBoost) refuse dynamic allocation; Treeline's spark-submit sets it off per
  # application, and YARN schedules GPUs so that each XGBoost task gets one.
  configurations_json = jsonencode([
    { Classification = "spark-defaults", Properties = {
      "spark.dynamicAllocation.enabled" = "false"
      "spark.sql.session.timeZone"      = "UTC"
    } },
    { Classification = "yarn-site", Properties = {
      "yarn.resource-types"                                           = "yarn.io/gpu"
      "yarn.nodemanager.resource-plugins"                             = "yarn.io/gpu"
      "yarn.nodemanager.resource-plugins.gpu.allowed-gpu-devices"     = "auto"
      "yarn.nodemanager.resource-plugins.gpu.path-to-discovery-executables" = "/usr/bin"
    } },
    { Classification = "capacity-scheduler", Properties = {
      "yarn.scheduler.capacity.resource-calculator" = "org.apache.hadoop.yarn.util.resource.DominantResourceCalculator"
    } },
  ])

  tags = merge(var.tags, { "for-use-with-amazon-emr-managed-policies" = "true" })
}

resource "aws_emr_instance_group" "gpu" {
  count          = var.gpu_instance_count > 0 ? 1 : 0
  name           = "gpu-task"
  cluster_id     = aws_emr_cluster.this.id
  instance_type  = var.gpu_instance_type
  instance_count = var.gpu_instance_count
  bid_price      = var.gpu_bid_price
  ebs_config {
    size                 = 256
    type                 = "gp3"
    volumes_per_instance = 1
  }
}

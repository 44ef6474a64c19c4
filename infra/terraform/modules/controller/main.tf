# The Treeline controller (`treeline scheduler start`) as an ECS service on Fargate, with its Quartz job
# store on RDS PostgreSQL. Two or more tasks form a Quartz cluster: fires are claimed once, and the runs
# of a task that dies are recovered by another. Runs are spark-submitted to the Spark cluster
# (controller.submit in the schedule file); the task role reaches only the stack's buckets and key.

data "aws_region" "current" {}

module "db" {
  source                    = "../postgres"
  name                      = "${var.name}-scheduler"
  database_name             = "treeline"
  username                  = "treeline"
  vpc_id                    = var.vpc_id
  subnet_ids                = var.private_subnet_ids
  client_security_group_ids = [aws_security_group.tasks.id]
  kms_key_arn               = var.kms_key_arn
  tags                      = var.tags
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-controller"
  description = "Treeline controller: to its job store, workspace, Spark and AWS APIs; inbound only Spark callbacks"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

# The workspace (run state that a takeover resumes from, the model and dataset locks, the audit log) on EFS,
# shared by every controller task: a run recovered from a dead task resumes where it stopped, and the
# decision locks (NFSv4 byte-range locks, released by the server when a task dies) hold across tasks.
resource "aws_efs_file_system" "workspace" {
  creation_token = "${var.name}-controller-workspace"
  encrypted      = true
  kms_key_id     = var.kms_key_arn
  tags           = merge(var.tags, { Name = "${var.name}-controller-workspace" })
}

resource "aws_efs_backup_policy" "workspace" {
  file_system_id = aws_efs_file_system.workspace.id
  backup_policy {
    status = "ENABLED"
  }
}

resource "aws_efs_access_point" "workspace" {
  file_system_id = aws_efs_file_system.workspace.id
  posix_user {
    uid = 10001
    gid = 10001
  }
  root_directory {
    path = "/treeline"
    creation_info {
      owner_uid   = 10001
      owner_gid   = 10001
      permissions = "0700"
    }
  }
  tags = var.tags
}

resource "aws_security_group" "workspace" {
  name        = "${var.name}-controller-workspace"
  description = "The controller workspace on EFS: NFS from the controller tasks only"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "workspace_from_tasks" {
  security_group_id            = aws_security_group.workspace.id
  description                  = "NFS from the controller tasks"
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
}

resource "aws_efs_mount_target" "workspace" {
  for_each        = toset(var.private_subnet_ids)
  file_system_id  = aws_efs_file_system.workspace.id
  subnet_id       = each.value
  security_groups = [aws_security_group.workspace.id]
}

resource "aws_vpc_security_group_egress_rule" "workspace" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "NFS to the shared workspace"
  referenced_security_group_id = aws_security_group.workspace.id
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
}

resource "aws_vpc_security_group_egress_rule" "db" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "PostgreSQL job store"
  referenced_security_group_id = module.db.security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to MLflow, S3, Secrets Manager and CloudWatch Logs"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

data "aws_vpc" "this" {
  id = var.vpc_id
}

# spark-submit to YARN (8032) and the cluster's callbacks to a client-mode driver stay inside the VPC.
resource "aws_vpc_security_group_egress_rule" "spark" {
  security_group_id = aws_security_group.tasks.id
  description       = "YARN and Spark inside the VPC"
  cidr_ipv4         = data.aws_vpc.this.cidr_block
  ip_protocol       = "tcp"
  from_port         = 1024
  to_port           = 65535
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/treeline/${var.name}/controller"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

module "roles" {
  source              = "../ecs_task_roles"
  name                = "${var.name}-controller"
  startup_secret_arns = [module.db.master_user_secret_arn, var.mlflow_credentials_secret_arn]
  kms_key_arn         = var.kms_key_arn
  task_policy_json    = data.aws_iam_policy_document.task.json
  tags                = var.tags
}

# The stack's data, plus mounting the shared workspace through its access point (EFS IAM authorization).
data "aws_iam_policy_document" "task" {
  source_policy_documents = [module.data_access.json]
  statement {
    sid       = "SharedWorkspace"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.workspace.arn]
    condition {
      test     = "StringEquals"
      variable = "elasticfilesystem:AccessPointArn"
      values   = [aws_efs_access_point.workspace.arn]
    }
  }
}

module "data_access" {
  source      = "../pipeline_data_access"
  bucket_arns = var.bucket_arns
  kms_key_arn = var.kms_key_arn
}

resource "aws_ecs_task_definition" "this" {
  family                   = "${var.name}-controller"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = module.roles.execution_role_arn
  task_role_arn            = module.roles.task_role_arn
  volume {
    name = "workspace"
    efs_volume_configuration {
      file_system_id     = aws_efs_file_system.workspace.id
      transit_encryption = "ENABLED"
      authorization_config {
        access_point_id = aws_efs_access_point.workspace.id
        iam             = "ENABLED"
      }
    }
  }
  volume {
    name = "tmp"
  }
  container_definitions = jsonencode([{
    name                   = "controller"
    image                  = var.image
    essential              = true
    readonlyRootFilesystem = true
    mountPoints = [
      { sourceVolume = "workspace", containerPath = "/var/lib/treeline" },
      { sourceVolume = "tmp", containerPath = "/tmp" },
    ]
    command = ["scheduler", "start", var.schedule_file,
      "--param", "JDBC_URL=jdbc:postgresql://${module.db.address}:${module.db.port}/${module.db.database_name}?sslmode=require",
    "--param", "DB_USER=${module.db.username}"]
    environment = concat([
      { name = "TREELINE_HOME", value = "/var/lib/treeline" },
      { name = "MLFLOW_TRACKING_URI", value = var.mlflow_url },
      ], [for k, v in var.environment : { name = k, value = v }])
    secrets = [
      { name = "TREELINE_SCHEDULER_DB_PASSWORD", valueFrom = "${module.db.master_user_secret_arn}:password::" },
      { name = "MLFLOW_TRACKING_USERNAME", valueFrom = "${var.mlflow_credentials_secret_arn}:username::" },
      { name = "MLFLOW_TRACKING_PASSWORD", valueFrom = "${var.mlflow_credentials_secret_arn}:password::" },
    ]
    # SIGTERM: running attempts stop at a step boundary and are queued again for the next controller.
    stopTimeout = 120
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "controller"
      }
    }
  }])
  tags = var.tags
}

resource "aws_ecs_service" "this" {
  name             = "treeline-controller"
  cluster          = var.cluster_arn
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }
  deployment_minimum_healthy_percent = 50
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  tags = var.tags
}

# The MLflow tracking server and model registry: Fargate tasks behind an HTTPS load balancer. People sign
# in through your OIDC provider at the load balancer; API clients go to /api/ and authenticate with MLflow's
# basic-auth app (users and permissions in the same PostgreSQL). Artifacts are proxied to S3
# (--artifacts-destination), so clients need no S3 credentials.

data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  port = 5000
}

module "db" {
  source                    = "../postgres"
  name                      = "${var.name}-mlflow"
  database_name             = "mlflow"
  username                  = "mlflow"
  vpc_id                    = var.vpc_id
  subnet_ids                = var.private_subnet_ids
  client_security_group_ids = [aws_security_group.tasks.id]
  kms_key_arn               = var.kms_key_arn
  tags                      = var.tags
}

# MLflow's admin password and Flask secret key, as JSON {"admin_password": ..., "flask_secret_key": ...}.
# Terraform creates the secret without a value; put it once with `aws secretsmanager put-secret-value`
# (docs/infrastructure.md), so the password is never in Terraform state.
resource "aws_secretsmanager_secret" "auth" {
  # checkov:skip=CKV2_AWS_57: MLflow keeps its admin password in its own user table; a rotation Lambda could not update it there, so the operator rotates it with `mlflow` and put-secret-value
  name       = "${var.name}/mlflow/auth"
  kms_key_id = var.kms_key_arn
  tags       = var.tags
}

# --- network ---------------------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  name        = "${var.name}-mlflow-alb"
  description = "MLflow load balancer: HTTPS from allowed networks, to the MLflow tasks"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  count             = length(var.allowed_cidr_blocks)
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from an allowed network"
  cidr_ipv4         = var.allowed_cidr_blocks[count.index]
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the MLflow tasks"
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
}

# The OIDC exchange: the load balancer calls the identity provider's token and user-info endpoints.
resource "aws_vpc_security_group_egress_rule" "alb_to_idp" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS to the OIDC provider"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-mlflow-tasks"
  description = "MLflow tasks: from the load balancer; to PostgreSQL and AWS APIs"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "MLflow from the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_db" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "PostgreSQL backend store"
  referenced_security_group_id = module.db.security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to S3, Secrets Manager, CloudWatch Logs and the image registry"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

# --- load balancer ---------------------------------------------------------------------------------

resource "aws_lb" "this" {
  # checkov:skip=CKV2_AWS_28: a WAF web ACL is the organisation's (variable waf_acl_arn); the listener already requires sign-in or MLflow credentials
  # checkov:skip=CKV2_AWS_76: the web ACL, and so its Log4j managed rule, is the organisation's (waf_acl_arn); MLflow is Python, not Java
  name                       = "${var.name}-mlflow"
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = true
  access_logs {
    bucket  = var.access_logs_bucket
    prefix  = "alb/${var.name}-mlflow"
    enabled = true
  }
  tags = var.tags
}

resource "aws_wafv2_web_acl_association" "this" {
  count        = var.waf_acl_arn == null ? 0 : 1
  resource_arn = aws_lb.this.arn
  web_acl_arn  = var.waf_acl_arn
}

resource "aws_lb_target_group" "this" {
  name        = "${var.name}-mlflow"
  port        = local.port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  health_check {
    path    = "/health"
    matcher = "200"
  }
  tags = var.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type  = "authenticate-oidc"
    order = 1
    authenticate_oidc {
      issuer                     = var.oidc.issuer
      authorization_endpoint     = var.oidc.authorization_endpoint
      token_endpoint             = var.oidc.token_endpoint
      user_info_endpoint         = var.oidc.user_info_endpoint
      client_id                  = var.oidc.client_id
      client_secret              = var.oidc_client_secret
      on_unauthenticated_request = "authenticate"
    }
  }
  default_action {
    type             = "forward"
    order            = 2
    target_group_arn = aws_lb_target_group.this.arn
  }
  tags = var.tags
}

# API clients cannot follow an OIDC browser flow: /api/ goes straight to MLflow, whose basic-auth app
# checks every request's credentials and permissions.
resource "aws_lb_listener_rule" "api" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 10
  condition {
    path_pattern {
      values = ["/api/*"]
    }
  }
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
  tags = var.tags
}

# --- the service -----------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  name              = "/treeline/${var.name}/mlflow"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = "${var.name}-mlflow"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  configuration {
    execute_command_configuration {
      kms_key_id = var.kms_key_arn
      logging    = "OVERRIDE"
      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.this.name
      }
    }
  }
  tags = var.tags
}

module "roles" {
  source              = "../ecs_task_roles"
  name                = "${var.name}-mlflow"
  startup_secret_arns = [module.db.master_user_secret_arn, aws_secretsmanager_secret.auth.arn]
  kms_key_arn         = var.kms_key_arn
  task_policy_json    = data.aws_iam_policy_document.task.json
  tags                = var.tags
}

data "aws_iam_policy_document" "task" {
  statement {
    actions   = ["s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.artifacts_bucket}"]
  }
  statement {
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.artifacts_bucket}/*"]
  }
  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_ecs_task_definition" "this" {
  family                   = "${var.name}-mlflow"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = module.roles.execution_role_arn
  task_role_arn            = module.roles.task_role_arn
  volume {
    name = "tmp"
  }
  container_definitions = jsonencode([{
    name                   = "mlflow"
    image                  = var.image
    essential              = true
    readonlyRootFilesystem = true
    portMappings           = [{ containerPort = local.port, protocol = "tcp" }]
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp" }]
    # The database URI and the auth config are assembled inside the container from the injected secrets,
    # so no password appears in the task definition, Terraform state or the logs.
    environment = [
      { name = "DB_HOST", value = module.db.address },
      { name = "DB_NAME", value = module.db.database_name },
      { name = "ARTIFACTS_DESTINATION", value = "s3://${var.artifacts_bucket}" },
      { name = "MLFLOW_S3_UPLOAD_EXTRA_ARGS", value = jsonencode({ ServerSideEncryption = "aws:kms", SSEKMSKeyId = var.kms_key_arn }) },
    ]
    secrets = [
      { name = "DB_USER", valueFrom = "${module.db.master_user_secret_arn}:username::" },
      { name = "DB_PASSWORD", valueFrom = "${module.db.master_user_secret_arn}:password::" },
      { name = "MLFLOW_ADMIN_PASSWORD", valueFrom = "${aws_secretsmanager_secret.auth.arn}:admin_password::" },
      { name = "MLFLOW_FLASK_SERVER_SECRET_KEY", valueFrom = "${aws_secretsmanager_secret.auth.arn}:flask_secret_key::" },
    ]
    command = ["/usr/local/bin/start-mlflow"]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "mlflow"
      }
    }
  }])
  tags = var.tags
}

resource "aws_ecs_service" "this" {
  name             = "mlflow"
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = "mlflow"
    container_port   = local.port
  }
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  depends_on = [aws_lb_listener.https]
  tags       = var.tags
}

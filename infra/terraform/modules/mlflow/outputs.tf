output "url" {
  description = "MLflow's address behind the load balancer (point your DNS name at it): MLFLOW_TRACKING_URI for Treeline."
  value       = "https://${aws_lb.this.dns_name}"
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer, for a CNAME or alias record."
  value       = aws_lb.this.dns_name
}

output "auth_secret_arn" {
  description = "Secret to fill once with {\"admin_password\": ..., \"flask_secret_key\": ...} before the first deployment."
  value       = aws_secretsmanager_secret.auth.arn
}

output "database_address" {
  description = "Host of MLflow's PostgreSQL backend store."
  value       = module.db.address
}

output "task_security_group_id" {
  description = "Security group of the MLflow tasks."
  value       = aws_security_group.tasks.id
}

output "ecs_cluster_arn" {
  description = "The ECS cluster the MLflow service runs in (the controller module can share it)."
  value       = aws_ecs_cluster.this.arn
}

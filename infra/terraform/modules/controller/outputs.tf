output "task_security_group_id" {
  description = "Security group of the controller tasks (give it to spark_emr's client_security_group_ids)."
  value       = aws_security_group.tasks.id
}

output "job_store_address" {
  description = "Host of the Quartz job store (PostgreSQL)."
  value       = module.db.address
}

output "task_role_arn" {
  description = "Role of the controller's tasks."
  value       = module.roles.task_role_arn
}

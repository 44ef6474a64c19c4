output "execution_role_arn" {
  description = "The task definition's execution_role_arn."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "The task definition's task_role_arn."
  value       = aws_iam_role.task.arn
}

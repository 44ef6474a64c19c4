output "json" {
  description = "The policy document (JSON) to attach to a role, or to merge with source_policy_documents."
  value       = data.aws_iam_policy_document.this.json
}

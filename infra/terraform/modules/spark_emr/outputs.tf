output "cluster_id" {
  description = "The EMR cluster's id."
  value       = aws_emr_cluster.this.id
}

output "primary_dns" {
  description = "Private DNS name of the primary node: YARN and the Spark history server (http://<dns>:18080)."
  value       = aws_emr_cluster.this.master_public_dns
}

output "node_role_arn" {
  description = "Role of the cluster's nodes (S3 and KMS access of executors and cluster-mode drivers)."
  value       = aws_iam_role.nodes.arn
}

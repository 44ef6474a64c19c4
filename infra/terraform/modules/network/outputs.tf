output "vpc_id" {
  description = "The VPC's id."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "The VPC's address range."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Subnets for the load balancer (one per zone)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Subnets for services, databases and the Spark cluster (one per zone)."
  value       = aws_subnet.private[*].id
}

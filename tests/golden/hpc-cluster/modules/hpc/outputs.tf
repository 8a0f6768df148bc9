output "cluster_config" {
  description = "The ParallelCluster config with the real ids: terraform output -raw ... > cluster.yaml, then pcluster create-cluster."
  value       = local.cluster_config
}

output "vpc_id" {
  description = "ID of the new VPC (null with an existing network)."
  value       = one(aws_vpc.this[*].id)
}

output "head_subnet_id" {
  description = "ID of the head node's subnet."
  value       = local.head_subnet_id
}

output "compute_subnet_ids" {
  description = "IDs of the compute queues' subnets."
  value       = local.compute_subnet_ids
}

output "security_group_ids" {
  description = "IDs of the security groups of the cluster's nodes."
  value       = local.security_group_ids
}

output "nat_gateway_id" {
  description = "ID of the NAT gateway (null with an existing network)."
  value       = one(aws_nat_gateway.this[*].id)
}

output "data_bucket_name" {
  description = "Name of the S3 data bucket."
  value       = aws_s3_bucket.data.bucket
}

output "data_bucket_arn" {
  description = "ARN of the S3 data bucket."
  value       = aws_s3_bucket.data.arn
}

output "access_log_bucket_name" {
  description = "Name of the bucket holding the data bucket's access logs."
  value       = aws_s3_bucket.data_logs.bucket
}

output "flow_log_group_name" {
  description = "Name of the VPC flow logs' log group (null with an existing network)."
  value       = one(aws_cloudwatch_log_group.flow_logs[*].name)
}

output "hpc_cluster_config" {
  description = "hpc: the ParallelCluster config with the real ids: terraform output -raw ... > cluster.yaml."
  value       = module.hpc.cluster_config
}

output "hpc_head_subnet_id" {
  description = "hpc: subnet of the head node."
  value       = module.hpc.head_subnet_id
}

output "hpc_compute_subnet_ids" {
  description = "hpc: subnets of the compute queues."
  value       = module.hpc.compute_subnet_ids
}

output "hpc_security_group_ids" {
  description = "hpc: security groups of the cluster's nodes."
  value       = module.hpc.security_group_ids
}

output "hpc_data_bucket_name" {
  description = "hpc: name of the S3 data bucket."
  value       = module.hpc.data_bucket_name
}

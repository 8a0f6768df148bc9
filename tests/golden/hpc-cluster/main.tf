# hpc-cluster: an AWS ParallelCluster 3 Slurm cluster config plus the Terraform it stands on (network, EFA security group, S3 data bucket)
module "hpc" {
  source = "./modules/hpc"

  network = {
    create              = true
    name                = "cfd-hpc"
    security_group_name = "cfd-hpc-cluster"
    flow_log_role_name  = "cfd-hpc-flow-logs-eu-west-1"
    flow_log_group_name = "/aws/vpc/cfd-hpc/flow-logs"
    nat_alarm_name      = "cfd-hpc-nat-port-allocation"
    instance_types      = ["c5n.18xlarge", "c6i.8xlarge", "c6i.xlarge"]
  }
  bucket = {
    prefix     = "cfd-hpc-data-"
    log_prefix = "cfd-hpc-data-logs-"
  }
  cluster_config_template = "${path.root}/pcluster/hpc.yaml"
}

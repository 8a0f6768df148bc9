# batch-multinode: an AWS Batch multi-node parallel job on a cluster placement group, optionally with EFA
module "solver" {
  source = "./modules/solver"

  names = {
    compute_environment = "mpi-solver"
    job_queue           = "mpi-solver"
    job_definition      = "mpi-solver"
    launch_template     = "mpi-solver"
    placement_group     = "mpi-solver"
    instance_role       = "mpi-solver-instance-eu-west-1"
    instance_profile    = "mpi-solver-instance-eu-west-1"
    service_role        = "mpi-solver-batch-eu-west-1"
    log_group           = "/aws/batch/mpi-solver"
    failed_rule         = "mpi-solver-failed-jobs"
  }
  network = {
    create              = true
    name                = "mpi-solver"
    security_group_name = "mpi-solver-cluster"
    flow_log_role_name  = "mpi-solver-flow-logs-eu-west-1"
    flow_log_group_name = "/aws/vpc/mpi-solver/flow-logs"
    nat_alarm_name      = "mpi-solver-nat-port-allocation"
    instance_types      = ["c5n.18xlarge"]
    cidr                = "10.20.0.0/16"
  }
  compute = {
    instance_types = ["c5n.18xlarge"]
    max_vcpus      = 288
    efa            = true
  }
  job = {
    nodes         = 4
    main_node     = 0
    instance_type = "c5n.18xlarge"
    node_groups = [
      {
        target_nodes = "0:"
        image        = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mpi-app:1.0"
        command      = ["/opt/run-mpi.sh"]
        vcpus        = 70
        memory       = 174080
      },
    ]
    timeout_seconds = 14400
  }
}

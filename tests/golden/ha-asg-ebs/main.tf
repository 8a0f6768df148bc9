# ha-instance: one highly available EC2 instance at one Elastic IP (standby failover, or an Auto Scaling group of one)
module "git" {
  source = "./modules/git"

  component = "forge-git"
  names = {
    security_group    = "forge-git"
    instance_role     = "forge-git-instance-eu-west-1"
    instance_profile  = "forge-git-instance-eu-west-1"
    launch_template   = "forge-git"
    autoscaling_group = "forge-git"
    alarms = {
      in_service         = "forge-git-in-service"
      lifecycle_errors   = "forge-git-lifecycle-errors"
      lifecycle_failures = "forge-git-lifecycle-failures"
      launch_delivery    = "forge-git-launch-delivery"
      terminate_delivery = "forge-git-terminate-delivery"
    }
    rules = {
      launch    = "forge-git-launch"
      terminate = "forge-git-terminate"
    }
  }
  instance = {
    type              = "m7g.large"
    ami_ssm_parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    policy_arns       = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
  }
  subnets = [
    {
      id = "subnet-0e1f2a3b4c5d60791"
      az = "eu-west-1a"
    },
    {
      id = "subnet-0e1f2a3b4c5d60792"
      az = "eu-west-1b"
    },
  ]
  ingress = {
    "tcp-443-0.0.0.0/0" = {
      ip_protocol = "tcp"
      from_port   = 443
      to_port     = 443
      cidr_ipv4   = "0.0.0.0/0"
      description = "HTTPS"
    }
    "tcp-443-::/0" = {
      ip_protocol = "tcp"
      from_port   = 443
      to_port     = 443
      cidr_ipv6   = "::/0"
      description = "HTTPS"
    }
    "tcp-22-pl-0123456789abcdef0" = {
      ip_protocol    = "tcp"
      from_port      = 22
      to_port        = 22
      prefix_list_id = "pl-0123456789abcdef0"
      description    = "Git over SSH from the office"
    }
  }
  egress = {
    "tcp-443-0.0.0.0/0" = {
      ip_protocol = "tcp"
      from_port   = 443
      to_port     = 443
      cidr_ipv4   = "0.0.0.0/0"
      description = "HTTPS to AWS APIs and package repositories"
    }
    "tcp-443-::/0" = {
      ip_protocol = "tcp"
      from_port   = 443
      to_port     = 443
      cidr_ipv6   = "::/0"
      description = "HTTPS to AWS APIs and package repositories"
    }
  }
  data_volume = {
    size              = 200
    mount_point       = "/var/lib/forge"
    iops              = 6000
    throughput        = 250
    snapshots_to_keep = 7
  }
  lifecycle_hooks = {
    heartbeat_timeout = 1200
  }
  lifecycle_function = {
    name        = "forge-git-lifecycle"
    role_name   = "forge-git-lifecycle-eu-west-1"
    description = "Keeps the data volume of forge-git across its instances"
    runtime     = "python3.13"
    handler     = "lifecycle.handler"
    source_dir  = "functions/lifecycle"
    timeout     = 900
  }
  iam = {
    path                 = "/forge/"
    permissions_boundary = "arn:aws:iam::123456789012:policy/team-boundary"
  }
  alarm_actions = [aws_sns_topic.alarms.arn]
}

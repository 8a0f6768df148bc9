# ha-instance: one highly available EC2 instance at one Elastic IP (standby failover, or an Auto Scaling group of one)
module "sftp" {
  source = "./modules/sftp"

  component = "gateway-sftp"
  names = {
    security_group   = "gateway-sftp"
    instance_role    = "gateway-sftp-instance-eu-west-1"
    instance_profile = "gateway-sftp-instance-eu-west-1"
    alarms = {
      primary_status    = "gateway-sftp-primary-status"
      standby_status    = "gateway-sftp-standby-status"
      failover_errors   = "gateway-sftp-failover-errors"
      failover_delivery = "gateway-sftp-failover-delivery"
    }
    rules = {
      failover = "gateway-sftp-failover"
    }
  }
  instance = {
    type              = "t3.small"
    ami_ssm_parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    root_volume_size  = 20
    policy_arns       = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    user_data_file    = "user-data/blueprint/setup.sh"
  }
  subnets = [
    {
      id = "subnet-0a1b2c3d4e5f60781"
      az = "eu-west-1a"
    },
    {
      id = "subnet-0a1b2c3d4e5f60782"
      az = "eu-west-1b"
    },
  ]
  ingress = {
    "tcp-22-203.0.113.0/24" = {
      ip_protocol = "tcp"
      from_port   = 22
      to_port     = 22
      cidr_ipv4   = "203.0.113.0/24"
      description = "SFTP from partners"
    }
    "tcp-22-198.51.100.0/24" = {
      ip_protocol = "tcp"
      from_port   = 22
      to_port     = 22
      cidr_ipv4   = "198.51.100.0/24"
      description = "SFTP from partners"
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
  failover_function = {
    name        = "gateway-sftp-failover"
    role_name   = "gateway-sftp-failover-eu-west-1"
    description = "Moves the Elastic IP of gateway-sftp to its standby instance"
    runtime     = "python3.13"
    handler     = "failover.handler"
    source_dir  = "functions/failover"
    timeout     = 600
  }
}

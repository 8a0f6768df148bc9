# ha-instance: one highly available EC2 instance at one Elastic IP (standby failover, or an Auto Scaling group of one)
module "vpn" {
  source = "./modules/vpn"

  component = "tunnel-vpn"
  names = {
    security_group    = "tunnel-vpn"
    instance_role     = "tunnel-vpn-instance-eu-central-1"
    instance_profile  = "tunnel-vpn-instance-eu-central-1"
    launch_template   = "tunnel-vpn"
    autoscaling_group = "tunnel-vpn"
    alarms = {
      in_service = "tunnel-vpn-in-service"
    }
  }
  instance = {
    type              = "t4g.small"
    ami_ssm_parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    policy_arns       = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
  }
  subnets = [
    {
      id = "subnet-0c1d2e3f4a5b60711"
      az = "eu-central-1a"
    },
    {
      id = "subnet-0c1d2e3f4a5b60712"
      az = "eu-central-1b"
    },
    {
      id = "subnet-0c1d2e3f4a5b60713"
      az = "eu-central-1c"
    },
  ]
  eip = {
    allocation_id = "eipalloc-0f1e2d3c4b5a69788"
  }
  ingress = {
    "udp-51820-0.0.0.0/0" = {
      ip_protocol = "udp"
      from_port   = 51820
      to_port     = 51820
      cidr_ipv4   = "0.0.0.0/0"
      description = "WireGuard"
    }
    "udp-51820-::/0" = {
      ip_protocol = "udp"
      from_port   = 51820
      to_port     = 51820
      cidr_ipv6   = "::/0"
      description = "WireGuard"
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
}

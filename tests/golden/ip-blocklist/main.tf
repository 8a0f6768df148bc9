# ip-blocklist: deny listed addresses where they can be seen: network ACL entries, WAF on ALBs, WAF on CloudFront (us-east-1)
module "blocklist" {
  source = "./modules/blocklist"

  blocked_cidrs = {
    ipv4 = ["192.0.2.128/25", "198.51.100.0/24", "203.0.113.7/32"]
    ipv6 = ["2001:db8:bad::/48"]
  }
  network_acls = {
    "acl-0a1b2c3d4e5f60718" = {
      network_acl_id    = "acl-0a1b2c3d4e5f60718"
      egress            = true
      first_rule_number = 10
      rule_number_step  = 10
    }
  }
  regional_web_acl = {
    name        = "guard-blocklist-alb"
    description = "Blocks the addresses of the blueprint guard, component blocklist"
    ip_set_names = {
      ipv4 = "guard-blocklist-alb-ipv4"
      ipv6 = "guard-blocklist-alb-ipv6"
    }
    log_group_name = "aws-waf-logs-guard-blocklist-alb"
  }
  load_balancer_arns = [
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-web/50dc6c495c0c9188",
  ]
  rate_limit = {
    limit                 = 1000
    evaluation_window_sec = 300
  }
}

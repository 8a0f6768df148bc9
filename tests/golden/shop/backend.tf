terraform {
  backend "s3" {
    bucket       = "payments-terraform-state"
    key          = "shop/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      "archgen:blueprint" = "orders"
      "team"              = "payments"
      "cost-center"       = "4711"
    }
  }
}

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      "archgen:blueprint" = "forge"
      "team"              = "developer-tools"
      "cost-center"       = "4242"
    }
  }
}

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      "archgen:blueprint" = "gateway"
      "team"              = "integrations"
    }
  }
}

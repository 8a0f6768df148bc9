provider "aws" {
  region = "eu-central-1"

  default_tags {
    tags = {
      "archgen:blueprint" = "tunnel"
      "team"              = "network"
    }
  }
}

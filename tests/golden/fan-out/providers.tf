provider "aws" {
  region = "us-east-2"

  default_tags {
    tags = {
      "archgen:blueprint" = "events"
      "team"              = "platform"
    }
  }
}

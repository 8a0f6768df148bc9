provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      "archgen:blueprint" = "catalog"
      "team"              = "catalog"
    }
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = {
      "archgen:blueprint" = "catalog"
      "team"              = "catalog"
    }
  }
}

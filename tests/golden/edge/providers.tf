provider "aws" {
  region = "eu-central-1"

  default_tags {
    tags = {
      "archgen:blueprint" = "storefront"
      "team"              = "web"
    }
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = {
      "archgen:blueprint" = "storefront"
      "team"              = "web"
    }
  }
}

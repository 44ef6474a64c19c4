terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.40, < 7.0" }
  }
  # Keep state remote and encrypted, e.g.:
  # backend "s3" { bucket = "my-terraform-state", key = "treeline/prod.tfstate", region = "eu-west-1", encrypt = true, use_lockfile = true }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "treeline", Stack = var.name }
  }
}

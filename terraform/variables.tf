variable "region" {
  description = "AWS region to run Slipway in, e.g. eu-central-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "name" {
  description = "Name prefix of every resource (VPC, EKS cluster, ECR repository, IAM roles)."
  type        = string
  default     = "slipway"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; split into one public and one private subnet per availability zone."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 CIDR block of /20 or larger."
  }
}

variable "availability_zones" {
  description = "Availability zones (names, e.g. [\"eu-central-1a\", \"eu-central-1b\", \"eu-central-1c\"]) the subnets, NAT gateways and nodes span; named explicitly so that the network never grows when AWS adds a zone."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 4 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must name 2 to 4 distinct zones (EKS needs at least two)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper) instead of one per zone (survives a zone outage)."
  type        = bool
  default     = false
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
  default     = "1.32"

  validation {
    condition     = can(regex("^1\\.(2[7-9]|3[0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be 1.27 or newer, written as MAJOR.MINOR (e.g. 1.32)."
  }
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "CIDR blocks that may reach the EKS API endpoint from the internet; empty keeps the endpoint private (reachable from the VPC only)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.cluster_endpoint_public_access_cidrs : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "cluster_endpoint_public_access_cidrs must be CIDR blocks, and not 0.0.0.0/0."
  }
}

variable "node_instance_types" {
  description = "EC2 instance types of the managed node group."
  type        = list(string)
  default     = ["t3.medium"]

  validation {
    condition     = length(var.node_instance_types) > 0
    error_message = "node_instance_types needs at least one instance type."
  }
}

variable "node_count" {
  description = "Desired, minimum and maximum number of nodes."
  type = object({
    desired = number
    min     = number
    max     = number
  })
  default = { desired = 2, min = 2, max = 4 }

  validation {
    condition     = var.node_count.min >= 1 && var.node_count.min <= var.node_count.desired && var.node_count.desired <= var.node_count.max
    error_message = "node_count must satisfy 1 <= min <= desired <= max."
  }
}

variable "github_repository" {
  description = "The GitHub repository (OWNER/NAME) whose Actions may push images to the ECR repository."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be OWNER/NAME, e.g. slipway-dev/slipway."
  }
}

variable "github_push_refs" {
  description = "Git refs of github_repository whose workflows may push (the OIDC token's sub claim), e.g. refs/heads/main or refs/tags/*."
  type        = list(string)
  default     = ["refs/heads/main", "refs/tags/v*"]

  validation {
    condition     = length(var.github_push_refs) > 0 && alltrue([for ref in var.github_push_refs : startswith(ref, "refs/")])
    error_message = "github_push_refs must be a non-empty list of refs starting with refs/."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's token.actions.githubusercontent.com OIDC provider; false when the account already has one."
  type        = bool
  default     = true
}

variable "image_tag" {
  description = "Tag of the Slipway image in ECR that the Helm release runs (tags are immutable)."
  type        = string
  default     = "0.1.0"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a valid Docker tag and not latest (tags are immutable; name a release)."
  }
}

variable "bot_enabled" {
  description = "Install the Telegram bot (its token is kept in Secrets Manager)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the VPC flow logs and EKS control plane logs in CloudWatch."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ..., 365, ...)."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

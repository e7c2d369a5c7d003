output "cluster_name" {
  description = "Name of the EKS cluster (aws eks update-kubeconfig --name ...)."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "The EKS API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "vpc_id" {
  description = "The VPC Slipway runs in."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "The private subnets of the nodes."
  value       = aws_subnet.private[*].id
}

output "ecr_repository_url" {
  description = "Where CI pushes the Slipway image (immutable tags)."
  value       = aws_ecr_repository.slipway.repository_url
}

output "github_push_role_arn" {
  description = "Role GitHub Actions assume with OIDC to push images (aws-actions/configure-aws-credentials role-to-assume)."
  value       = aws_iam_role.github_push.arn
}

output "bot_role_arn" {
  description = "IRSA role of the bot's ServiceAccount."
  value       = aws_iam_role.bot.arn
}

output "bot_token_secret_arn" {
  description = "The Secrets Manager secret to put the Telegram bot token in."
  value       = aws_secretsmanager_secret.bot_token.arn
}

output "kms_key_arn" {
  description = "The customer-managed key of Slipway's secrets, images and logs."
  value       = aws_kms_key.this.arn
}

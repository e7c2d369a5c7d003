# Slipway itself, from the chart in this repository, running the image from the ECR repository.
# The bot's ServiceAccount carries the IRSA role that may read its token.
resource "helm_release" "slipway" {
  name             = "slipway"
  chart            = "${path.module}/../charts/slipway"
  namespace        = "slipway-system"
  create_namespace = true
  atomic           = true
  wait             = true
  timeout          = 600

  values = [yamlencode({
    image = {
      repository = aws_ecr_repository.slipway.repository_url
      tag        = var.image_tag
    }
    bot = {
      enabled = var.bot_enabled
      serviceAccount = {
        create      = true
        name        = "slipway-bot"
        annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.bot.arn }
      }
    }
  })]

  depends_on = [aws_eks_node_group.default]
}

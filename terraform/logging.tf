# Centralized logging: the CloudWatch Observability add-on ships every pod's logs (the
# controller's and the bot's JSON lines included) and Container Insights metrics to CloudWatch.
# Control plane logs go there already (eks.tf).
resource "aws_eks_addon" "cloudwatch_observability" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "amazon-cloudwatch-observability"
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"

  depends_on = [aws_eks_node_group.default, aws_iam_role_policy_attachment.node_cloudwatch]
}

resource "aws_iam_role_policy_attachment" "node_cloudwatch" {
  role       = aws_iam_role.node.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/CloudWatchAgentServerPolicy"
}

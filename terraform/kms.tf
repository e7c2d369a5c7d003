# One customer-managed key for Slipway's secrets: Kubernetes Secrets in etcd (EKS envelope
# encryption), the bot's token in Secrets Manager, ECR images and the CloudWatch log groups.
resource "aws_kms_key" "this" {
  description             = "${var.name}: Kubernetes secrets, the bot token, images and logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "kms" {
  # checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key itself; the account root must administer it or the key becomes unmanageable.
  # checkov:skip=CKV_AWS_111:As above: in a key policy "*" is the key; write access is limited to the account's IAM principals.
  # checkov:skip=CKV_AWS_356:As above: a key policy cannot name its own key ARN, "*" is the key.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncrypt"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
}

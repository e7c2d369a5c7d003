# IAM roles for service accounts. The bot may read its Telegram token from Secrets Manager
# (one secret, decrypted with the Slipway key) and nothing else. The controller talks only to
# the Kubernetes API and needs no AWS permissions, so it gets no role at all.

locals {
  oidc_issuer = replace(aws_iam_openid_connect_provider.eks.url, "https://", "")
}

resource "aws_secretsmanager_secret" "bot_token" {
  # checkov:skip=CKV2_AWS_57:A Telegram bot token is rotated with BotFather, not by a Lambda; the runbook says how.
  name                    = "${var.name}/telegram-bot-token"
  description             = "Telegram Bot API token of the Slipway bot (set the value out of band: aws secretsmanager put-secret-value)."
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 30
}

data "aws_iam_policy_document" "bot_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:slipway-system:slipway-bot"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "bot" {
  name               = "${var.name}-bot"
  description        = "Slipway's Telegram bot (ServiceAccount slipway-system/slipway-bot): reads its token from Secrets Manager."
  assume_role_policy = data.aws_iam_policy_document.bot_trust.json
}

data "aws_iam_policy_document" "bot" {
  statement {
    sid       = "ReadTheBotToken"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_secretsmanager_secret.bot_token.arn]
  }

  statement {
    sid       = "DecryptTheBotToken"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "bot" {
  name   = "read-telegram-token"
  role   = aws_iam_role.bot.id
  policy = data.aws_iam_policy_document.bot.json
}

"""Deploying shiftwork: the IAM policy, the Lambda package, the CloudFormation template, the deploy command.

Installed as `shiftwork.deploy`. The policy, template and package are pure functions of the rules and
the options (no AWS calls), so they can be built, diffed and tested without an account; only
`deploy.stack` talks to AWS (S3 and CloudFormation).
"""

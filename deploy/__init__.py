"""Deploying shiftwork: the IAM policy, the Lambda package, the CloudFormation template, the deploy command."""

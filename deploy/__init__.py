"""Deploying shiftwork: the Lambda package, its CloudFormation template, and what both derive from the rules.

Installed as `shiftwork.deploy`; everything here is a pure function of the rules and the options
(no AWS calls), so a template or a package can be built, diffed and tested without an account.
"""

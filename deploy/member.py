"""The role a member account gives the hub's dispatcher, as a template for a StackSet.

The same template goes to every member account, so the hub role's ARN is a parameter (the hub
stack's FunctionRoleArn output) and the external ID is fixed in it: the dispatcher must present
it, which keeps another principal that learns the role's ARN from using it as a confused deputy.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .cfn import get_att, policy_document, ref

MEMBER_ROLE = "MemberRole"
HUB_ROLE_PATTERN = r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$"
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")  # what STS accepts
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def build_member_template(hub_role_arn_param: str, external_id: str, member_policy: Mapping[str, Any], *,
                          role_name: str = "shiftwork-exec") -> dict[str, Any]:
    """A role named `role_name` (the name the rules' `accounts[].role` ARNs use) trusting only the hub role.

    `hub_role_arn_param` names the template parameter through which each stack instance receives the
    hub role's ARN; `member_policy` is what the rules do in member accounts.
    """
    if not hub_role_arn_param.isascii() or not hub_role_arn_param.isalnum():
        raise ValueError(f"parameter name {hub_role_arn_param!r} must be alphanumeric")
    if not _EXTERNAL_ID.match(external_id):
        raise ValueError(f"external ID {external_id!r}: 2-1224 characters of letters, digits and +=,.@:/-")
    if not _ROLE_NAME.match(role_name):
        raise ValueError(f"role name {role_name!r}: 1-64 characters of letters, digits and +=,.@_-")
    if not member_policy.get("Statement"):
        raise ValueError("member_policy has no statements: the member role would be able to do nothing")
    trust = policy_document({
        "Effect": "Allow",
        "Principal": {"AWS": ref(hub_role_arn_param)},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
    })
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "shiftwork member account: the role the hub's dispatcher assumes to act on the rules",
        "Parameters": {hub_role_arn_param: {
            "Type": "String", "AllowedPattern": HUB_ROLE_PATTERN,
            "ConstraintDescription": "an IAM role ARN",
            "Description": "The hub dispatcher's role (the hub stack's FunctionRoleArn output)"}},
        "Resources": {MEMBER_ROLE: {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": role_name,
            "Description": "shiftwork: assumed by the hub dispatcher, with the external ID",
            "AssumeRolePolicyDocument": trust,
            "Policies": [{"PolicyName": "rules", "PolicyDocument": dict(member_policy)}],
        }}},
        "Outputs": {"RoleArn": {"Description": "The role to name in the rules' accounts[].role",
                                "Value": get_att(MEMBER_ROLE, "Arn")}},
    }

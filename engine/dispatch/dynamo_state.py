"""The dispatcher's state in DynamoDB: one table, string partition key `pk`, TTL attribute `expires`.

Items: `rule#NAME` (state JSON + `version`, written with a condition on the version read), `key#KEY`
(locks, leases, event keys: conditional on being absent or expired), `work#UNIT` (work records).
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from shiftwork.engine.dispatch.state import BadState, RuleState, State

GET_BATCH = 100  # BatchGetItem takes at most 100 keys
WRITE_BATCH = 25  # BatchWriteItem takes at most 25 items
UNPROCESSED_ROUNDS = 5  # resubmit what DynamoDB left unprocessed at most this often, then fail loudly


class DynamoState(State):
    """DynamoDB table with a string partition key `pk` and a TTL attribute `expires` (epoch seconds)."""

    def __init__(self, client: Any, table: str):
        self.client = client
        self.table = table

    def get(self, rule: str) -> RuleState:
        item = self.client.get_item(TableName=self.table, Key={"pk": {"S": f"rule#{rule}"}},
                                    ConsistentRead=True).get("Item")
        if not item:
            return RuleState()
        try:
            data = json.loads(item["state"]["S"])
            version = int(item.get("version", {}).get("N", "0"))
        except (KeyError, TypeError, ValueError) as exc:
            raise BadState(f"rule '{rule}': unreadable state item ({type(exc).__name__}: {exc}); fix or delete "
                           f"item rule#{rule}, the rule then reconciles from scratch") from None
        return RuleState.from_json(data, version, rule)

    def put(self, rule: str, state: RuleState) -> bool:
        item = {"pk": {"S": f"rule#{rule}"}, "state": {"S": json.dumps(state.to_json())},
                "version": {"N": str(state.version + 1)}}
        if state.version == 0:
            condition, values = "attribute_not_exists(pk) OR attribute_not_exists(version)", None
        else:
            condition, values = "version = :v", {":v": {"N": str(state.version)}}
        kwargs: dict[str, Any] = {"ConditionExpression": condition}
        if values:
            kwargs["ExpressionAttributeValues"] = values
        try:
            self.client.put_item(TableName=self.table, Item=item, **kwargs)
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        state.version += 1
        return True

    def claim(self, key: str, now: datetime, ttl: timedelta, value: str = "busy") -> bool:
        try:
            self.client.put_item(
                TableName=self.table, Item=self._key_item(key, now, ttl, value),
                ConditionExpression="attribute_not_exists(pk) OR expires <= :now",
                ExpressionAttributeValues={":now": {"N": str(int(now.timestamp()))}})
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def mark(self, key: str, now: datetime, ttl: timedelta, value: str) -> None:
        self.client.put_item(TableName=self.table, Item=self._key_item(key, now, ttl, value))

    def holder(self, key: str, now: datetime) -> str | None:
        item = self.client.get_item(TableName=self.table, Key={"pk": {"S": f"key#{key}"}},
                                    ConsistentRead=True).get("Item")
        if not item or int(item.get("expires", {}).get("N", "0")) <= int(now.timestamp()):
            return None
        return item.get("holder", {}).get("S", "busy")

    def release(self, key: str) -> None:
        self.client.delete_item(TableName=self.table, Key={"pk": {"S": f"key#{key}"}})

    @staticmethod
    def _key_item(key: str, now: datetime, ttl: timedelta, value: str) -> dict[str, Any]:
        return {"pk": {"S": f"key#{key}"}, "expires": {"N": str(int((now + ttl).timestamp()))},
                "holder": {"S": value}}

    def get_records(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), GET_BATCH):
            request = {self.table: {"Keys": [{"pk": {"S": f"work#{k}"}} for k in unique[start:start + GET_BATCH]],
                                    "ConsistentRead": True}}
            for _ in range(UNPROCESSED_ROUNDS):
                response = self.client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    found[item["pk"]["S"][len("work#"):]] = json.loads(item["record"]["S"])
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError("DynamoDB left work records unread after 5 rounds")
        return found

    def put_records(self, records: Mapping[str, dict[str, Any]], now: datetime, ttl: timedelta) -> None:
        expires = str(int((now + ttl).timestamp()))
        items = [{"PutRequest": {"Item": {"pk": {"S": f"work#{k}"}, "expires": {"N": expires},
                                          "record": {"S": json.dumps(v, default=str)}}}}
                 for k, v in records.items()]
        for start in range(0, len(items), WRITE_BATCH):
            request = {self.table: items[start:start + WRITE_BATCH]}
            for _ in range(UNPROCESSED_ROUNDS):
                request = self.client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
                if not request:
                    break
            else:
                raise RuntimeError("DynamoDB left work records unwritten after 5 rounds")

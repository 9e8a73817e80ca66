"""Executor semantics without AWS: batching, bisecting, per-resource ordering, dry run."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from shiftwork.engine.plan.changes import Change
from shiftwork.engine.execute.executor import DryRunExecutor, Executor, batches, steps
from shiftwork.engine.language.model import Account
from shiftwork.engine.plan.resources import Resource


class FakeClient:
    """Records calls; any call naming a bad id fails the whole request, as EC2 does."""

    def __init__(self, log: list[tuple[str, dict[str, Any]]], bad: set[str], code: str = "IncorrectInstanceState"):
        self.log, self.bad, self.code = log, bad, code

    def __getattr__(self, call: str) -> Any:
        def method(**params: Any) -> dict[str, Any]:
            self.log.append((call, params))
            ids = params.get("InstanceIds") or [params.get("Name", "")]
            hit = [i for i in ids if i in self.bad]
            if hit:
                raise ClientError({"Error": {"Code": self.code, "Message": f"The instance '{hit[0]}' is not in "
                                             "a state from which it can be stopped."}}, call)
            if call == "stop_instances":
                return {"StoppingInstances": [{"InstanceId": i} for i in ids if i != "i-ghost"]}
            return {}
        return method


class FakeClients:
    def __init__(self, bad: set[str] = frozenset(), code: str = "IncorrectInstanceState"):
        self.log: list[tuple[str, dict[str, Any]]] = []
        self.asked: list[tuple[str, str, str | None]] = []
        self.client_ = FakeClient(self.log, set(bad), code)

    def client(self, service: str, region: str, account: Account | None = None) -> FakeClient:
        self.asked.append((service, region, account.role if account else None))
        return self.client_


def instance(n: int | str, region: str = "eu-west-1", account: str | None = None) -> Resource:
    rid = n if isinstance(n, str) else f"i-{n:04d}"
    return Resource("ec2.instance", rid, region, account)


def stop(res: Resource, **extra: Any) -> Change:
    import shiftwork.handlers.ec2  # noqa: F401  (registers the StopInstances response check)
    return Change("r", "ec2.stop", res, "ec2", "stop_instances", {"InstanceIds": [res.id], **extra}, "stop",
                  batch_param="InstanceIds", batch_size=50)


def named(res: Resource, call: str) -> Change:
    return Change("r", "asg.scale", res, "autoscaling", call, {"Name": res.id}, call)


def test_batches_merge_equal_calls_up_to_batch_size() -> None:
    changes = [stop(instance(i)) for i in range(120)]
    groups = batches(changes, range(120))
    assert [len(b.changes) for b in groups] == [50, 50, 20]
    assert groups[1].params() == {"InstanceIds": [f"i-{i:04d}" for i in range(50, 100)]}


def test_different_params_regions_and_accounts_are_never_merged() -> None:
    changes = [stop(instance(1)), stop(instance(2), Hibernate=True), stop(instance(3, "us-east-1")),
               stop(instance(4, account="111122223333")), stop(instance(5))]
    assert [[c.resource.id for c in b.changes] for b in batches(changes, range(5))] == [
        ["i-0001", "i-0005"], ["i-0002"], ["i-0003"], ["i-0004"]]


def test_steps_follow_each_resource_sequence() -> None:
    a, b = instance("asg-a"), instance("asg-b")
    changes = [named(a, "create_or_update_tags"), named(a, "update_auto_scaling_group"),
               named(b, "update_auto_scaling_group")]
    assert steps(changes) == [[0, 2], [1]]


def test_one_bad_instance_in_100_bisects_logarithmically() -> None:
    clients = FakeClients(bad={"i-0037"})
    changes = [stop(instance(i)) for i in range(100)]
    results = Executor(clients).execute(changes)  # type: ignore[arg-type]
    assert [r.status for r in results].count("ok") == 99
    bad = results[37]
    assert (bad.status, bad.error_code) == ("failed", "IncorrectInstanceState")
    assert bad.reason == "The instance 'i-0037' is not in a state from which it can be stopped."
    # batch i-0000..49 fails; halves: [0-24 ok, 25-49 x]; [25-36 ok, 37-49 x]; [37-42 x, 43-49 ok];
    # [37-39 x, 40-42 ok]; [37 x, 38-39 ok]: 1 + 2*5 calls; second batch i-0050..99: 1 call
    assert [c for c, _ in clients.log].count("stop_instances") == 12
    assert [c for c, _ in clients.log if c != "stop_instances"] == ["describe_instances"]  # re-read i-0037's state
    stopped = [i for call, p in clients.log if call == "stop_instances" for i in p["InstanceIds"]]
    assert sorted(set(stopped)) == [f"i-{i:04d}" for i in range(100)]


def test_whole_call_errors_are_not_bisected() -> None:
    clients = FakeClients(bad={f"i-{i:04d}" for i in range(50)}, code="UnauthorizedOperation")
    results = Executor(clients).execute([stop(instance(i)) for i in range(50)])  # type: ignore[arg-type]
    assert len(clients.log) == 1
    assert {r.error_code for r in results} == {"UnauthorizedOperation"}


def test_failed_step_skips_later_steps_of_that_resource_only() -> None:
    a, b = instance("asg-a"), instance("asg-b")
    clients = FakeClients(bad={"asg-a"})
    changes = [named(a, "create_or_update_tags"), named(b, "create_or_update_tags"),
               named(a, "update_auto_scaling_group"), named(b, "update_auto_scaling_group")]
    results = Executor(clients).execute(changes)  # type: ignore[arg-type]
    assert [r.status for r in results] == ["failed", "ok", "skipped", "ok"]
    assert results[2].reason == ("not run: earlier step CreateOrUpdateTags (asg.scale) failed for this resource")
    assert [c for c, _ in clients.log] == ["create_or_update_tags", "create_or_update_tags",
                                          "update_auto_scaling_group"]


def test_instance_missing_from_a_successful_response_is_failed() -> None:
    clients = FakeClients()
    results = Executor(clients).execute([stop(instance(1)), stop(instance("i-ghost"))])  # type: ignore[arg-type]
    assert [r.status for r in results] == ["ok", "failed"]
    assert results[1].reason == "AWS did not report stopping i-ghost"


def test_account_of_a_resource_picks_its_role() -> None:
    clients = FakeClients()
    role = "arn:aws:iam::111122223333:role/shiftwork-exec"
    executor = Executor(clients, {"111122223333": Account("111122223333", role)})  # type: ignore[arg-type]
    executor.execute([stop(instance(1, account="111122223333")), stop(instance(2))])
    assert clients.asked == [("ec2", "eu-west-1", role), ("ec2", "eu-west-1", None)]


def test_non_client_errors_fail_the_batch_with_their_message() -> None:
    class Broken(FakeClients):
        def client(self, *_: Any, **__: Any) -> Any:
            raise RuntimeError("no credentials for account 4444")
    results = Executor(Broken()).execute([stop(instance(1))])  # type: ignore[arg-type]
    assert (results[0].status, results[0].reason, results[0].error_code) == (
        "failed", "no credentials for account 4444", "RuntimeError")


def test_dry_run_plans_the_same_calls_and_makes_none() -> None:
    dry = DryRunExecutor()
    results = dry.execute([stop(instance(i)) for i in range(60)])
    assert {r.status for r in results} == {"planned"}
    assert results[0].reason == "would call ec2:StopInstances with 50 ids: stop"
    assert results[59].reason == "would call ec2:StopInstances with 10 ids: stop"
    assert dry.calls == 2


@pytest.mark.parametrize("count,calls", [(1, 1), (50, 1), (51, 2), (250, 5)])
def test_happy_path_makes_one_call_per_batch(count: int, calls: int) -> None:
    clients = FakeClients()
    executor = Executor(clients)  # type: ignore[arg-type]
    executor.execute([stop(instance(i)) for i in range(count)])
    assert executor.calls == len(clients.log) == calls


@pytest.mark.parametrize("code", ["Unavailable", "ServiceUnavailableException", "InternalError"])
def test_server_errors_resend_the_whole_batch_once_and_never_bisect(code: str) -> None:
    clients = FakeClients(bad={f"i-{i:04d}" for i in range(50)}, code=code)
    results = Executor(clients).execute([stop(instance(i)) for i in range(50)])  # type: ignore[arg-type]
    writes = [p["InstanceIds"] for c, p in clients.log if c == "stop_instances"]
    assert len(writes) == 2 and all(len(ids) == 50 for ids in writes)  # was 99 calls when bisected
    assert {(r.status, r.error_code) for r in results} == {("failed", code)}


def test_an_error_that_names_no_resource_is_not_bisected() -> None:
    clients = FakeClients(bad={"i-0003"}, code="ValidationError")
    results = Executor(clients).execute([stop(instance(i)) for i in range(8)])  # type: ignore[arg-type]
    assert len(clients.log) == 1 and {r.error_code for r in results} == {"ValidationError"}

"""An in-process fake of AWS for benches: a botocore `before-send` hook answers every request, no HTTP.

Any operation gets an empty reply (every list of its output empty, so selections find nothing; given
at `before-call`, already parsed), except EC2's DescribeInstances, served as XML pages from a synthetic
fleet, and StopInstances/StartInstances, which report every id they are given (at `before-send`, so
botocore parses them as it parses AWS's replies). The fleet's records carry the fields a real DescribeInstances record has
(network interface, block devices, security groups...), about 4 KB of XML each, so memory figures mean
something. moto is far too slow for 10,000+ instances; this fake answers a 1,000-instance page in ~30 ms.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from botocore.awsrequest import AWSResponse

EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
SERVED = {"DescribeInstances", "StopInstances", "StartInstances"}  # EC2's, as XML; the rest are empty

INSTANCE = """<item><instanceId>{iid}</instanceId><imageId>ami-0abcdef1234567890</imageId>
<instanceState><code>16</code><name>running</name></instanceState><privateDnsName>ip-10-0-{a}-{b}.eu-west-1.compute.internal</privateDnsName>
<dnsName/><reason/><keyName>ops-key</keyName><amiLaunchIndex>0</amiLaunchIndex><productCodes/><instanceType>t3.micro</instanceType>
<launchTime>2026-11-01T08:00:00.000Z</launchTime><placement><availabilityZone>eu-west-1a</availabilityZone><groupName/><tenancy>default</tenancy></placement>
<monitoring><state>disabled</state></monitoring><subnetId>subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId>
<privateIpAddress>10.0.{a}.{b}</privateIpAddress><sourceDestCheck>true</sourceDestCheck>
<groupSet><item><groupId>sg-0123456789abcdef0</groupId><groupName>default</groupName></item></groupSet>
<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>
<blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><volumeId>vol-{vid}</volumeId><status>attached</status>
<attachTime>2026-11-01T08:00:01.000Z</attachTime><deleteOnTermination>true</deleteOnTermination></ebs></item></blockDeviceMapping>
<virtualizationType>hvm</virtualizationType><clientToken>{iid}-token</clientToken>
<tagSet><item><key>env</key><value>dev</value></item><item><key>Name</key><value>dev-{n}</value></item>
<item><key>team</key><value>team-{team}</value></item><item><key>cost-center</key><value>cc-{team}</value></item></tagSet>
<hypervisor>xen</hypervisor><networkInterfaceSet><item><networkInterfaceId>eni-{vid}</networkInterfaceId>
<subnetId>subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId><description/><ownerId>111122223333</ownerId>
<status>in-use</status><macAddress>02:00:00:{a:02x}:{b:02x}:01</macAddress><privateIpAddress>10.0.{a}.{b}</privateIpAddress>
<privateDnsName>ip-10-0-{a}-{b}.eu-west-1.compute.internal</privateDnsName><sourceDestCheck>true</sourceDestCheck>
<groupSet><item><groupId>sg-0123456789abcdef0</groupId><groupName>default</groupName></item></groupSet>
<attachment><attachmentId>eni-attach-{vid}</attachmentId><deviceIndex>0</deviceIndex><status>attached</status>
<attachTime>2026-11-01T08:00:00.000Z</attachTime><deleteOnTermination>true</deleteOnTermination><networkCardIndex>0</networkCardIndex></attachment>
<privateIpAddressesSet><item><privateIpAddress>10.0.{a}.{b}</privateIpAddress><privateDnsName>ip-10-0-{a}-{b}.eu-west-1.compute.internal</privateDnsName>
<primary>true</primary></item></privateIpAddressesSet><ipv6AddressesSet/><interfaceType>interface</interfaceType></item></networkInterfaceSet>
<ebsOptimized>false</ebsOptimized><enaSupport>true</enaSupport><cpuOptions><coreCount>1</coreCount><threadsPerCore>2</threadsPerCore></cpuOptions>
<capacityReservationSpecification><capacityReservationPreference>open</capacityReservationPreference></capacityReservationSpecification>
<hibernationOptions><configured>false</configured></hibernationOptions><metadataOptions><state>applied</state><httpTokens>required</httpTokens>
<httpPutResponseHopLimit>2</httpPutResponseHopLimit><httpEndpoint>enabled</httpEndpoint><httpProtocolIpv6>disabled</httpProtocolIpv6>
<instanceMetadataTags>disabled</instanceMetadataTags></metadataOptions><enclaveOptions><enabled>false</enabled></enclaveOptions>
<platformDetails>Linux/UNIX</platformDetails><usageOperation>RunInstances</usageOperation><usageOperationUpdateTime>2026-11-01T08:00:00.000Z</usageOperationUpdateTime>
<privateDnsNameOptions><hostnameType>ip-name</hostnameType><enableResourceNameDnsARecord>false</enableResourceNameDnsARecord>
<enableResourceNameDnsAAAARecord>false</enableResourceNameDnsAAAARecord></privateDnsNameOptions>
<maintenanceOptions><autoRecovery>default</autoRecovery></maintenanceOptions><currentInstanceBootMode>legacy-bios</currentInstanceBootMode></item>"""


class FakeAws:
    """The hook and what it saw: requests by operation, and the fleet it serves (all running, env=dev)."""

    def __init__(self, instances: int = 0):
        self.instances = instances
        self.requests: dict[str, int] = {}
        self.stopped = 0
        self.services: set[str] = set()  # botocore service names asked

    def install(self, session: Any) -> Any:
        """Answer every request of clients made from this boto3 (or botocore) session from now on."""
        events = session.events if hasattr(session, "events") else session.get_component("event_emitter")
        events.register("before-call", self.empty)
        events.register("before-send", self.answer)
        return session

    def empty(self, model: Any = None, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        """Every other operation: its output's lists empty, as AWS answers when there is nothing."""
        if model.service_model.service_name == "ec2" and model.name in SERVED:
            return None
        self.requests[model.name] = self.requests.get(model.name, 0) + 1
        self.services.add(model.service_model.service_name)
        shape = model.output_shape
        members = shape.members.items() if shape is not None else ()
        return _reply(""), {name: [] for name, member in members if member.type_name == "list"}

    def answer(self, request: Any = None, event_name: str = "", **_: Any) -> AWSResponse:
        _, service, operation = event_name.split(".", 2)
        self.requests[operation] = self.requests.get(operation, 0) + 1
        self.services.add(service)
        form = {k: v for k, v in parse_qs(request.body.decode() if isinstance(request.body, bytes)
                                          else request.body or "").items()}
        if service == "ec2" and operation == "DescribeInstances":
            return _reply(self._page(form))
        if service == "ec2" and operation in ("StopInstances", "StartInstances"):
            ids = [v[0] for k, v in form.items() if k.startswith("InstanceId.")]
            self.stopped += len(ids) if operation == "StopInstances" else 0
            key = "instancesSet"  # StoppingInstances/StartingInstances on the wire
            items = "".join(f"<item><instanceId>{i}</instanceId><currentState><code>64</code><name>stopping</name>"
                            "</currentState><previousState><code>16</code><name>running</name></previousState></item>"
                            for i in ids)
            return _reply(f'<{operation}Response xmlns="{EC2_NS}"><requestId>r</requestId><{key}>{items}</{key}>'
                          f"</{operation}Response>")
        raise AssertionError(f"fake AWS: {service}:{operation} reached before-send")

    def _page(self, form: dict[str, list[str]]) -> str:
        size = int(form.get("MaxResults", ["1000"])[0])
        start = int(form.get("NextToken", ["0"])[0])
        end = min(start + size, self.instances)
        states = {v[0] for k, v in form.items() if k.startswith("Filter.1.Value.")}  # instance-state-name
        items = "".join(INSTANCE.format(iid=f"i-{n:017x}", vid=f"{n:017x}", n=n, a=(n >> 8) & 255, b=n & 255,
                                        team=n % 40)
                        for n in range(start, end)) if not states or "running" in states else ""
        token = f"<nextToken>{end}</nextToken>" if end < self.instances and items else ""
        return (f'<DescribeInstancesResponse xmlns="{EC2_NS}"><requestId>r</requestId><reservationSet><item>'
                f"<reservationId>r-0123456789abcdef0</reservationId><ownerId>111122223333</ownerId><groupSet/>"
                f"<instancesSet>{items}</instancesSet></item></reservationSet>{token}</DescribeInstancesResponse>")


def _reply(body: str) -> AWSResponse:
    return AWSResponse("https://fake.invalid/", 200, {"x-amzn-requestid": "r"}, _Raw(body.encode()))


class _Raw:
    """The raw stream botocore reads a body from."""

    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_: Any):
        yield self.data

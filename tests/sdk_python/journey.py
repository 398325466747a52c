"""The guide's journey through Microsoft's own Azure SDK for Python against the sandbox.

Run by tests/sdk_python.rs with the sandbox's environment (ARM_*, AZURE_AUTHORITY_HOST,
ASTRO_SANDBOX_*) and the sandbox CA trusted through REQUESTS_CA_BUNDLE / SSL_CERT_FILE.
Nothing is patched: the libraries are used through their public constructors, with their
default api-versions. Prints one `step: ...` line per step and, at the end, `journey: ok`
followed by a JSON line of what the test checks against the sandbox's request log.
"""

import json
import os
import sys

import msal
import requests
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import (
    PrivateEndpoint,
    PrivateEndpointConnection,
    PrivateLinkServiceConnection,
    PrivateLinkServiceConnectionState,
    Subnet,
)
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.privatedns.models import (
    ARecord,
    PrivateZone,
    RecordSet,
    SubResource,
    VirtualNetworkLink,
)

ENV = os.environ
ARM = ENV["ARM_RESOURCE_MANAGER_ENDPOINT"].rstrip("/")
AUTHORITY = ENV["AZURE_AUTHORITY_HOST"].rstrip("/")
TENANT = ENV["ARM_TENANT_ID"]
CLIENT = ENV["ARM_CLIENT_ID"]
SECRET = ENV["ARM_CLIENT_SECRET"]
SUB = ENV["ARM_SUBSCRIPTION_ID"]
SUBNET = ENV["ASTRO_SANDBOX_SUBNET_ID"]
VNET = ENV["ASTRO_SANDBOX_VNET_ID"]
ALIAS = ENV["ASTRO_SANDBOX_PLS_ALIAS"]
PLS_ID = ENV["ASTRO_SANDBOX_PLS_ID"]
RG = "rg-astro-agents"
DNS_RG = "rg-astro-dns"
ZONE = "external.astronomer.run"
checks = {}


def step(text):
    print(f"step: {text}", flush=True)


def expect(cond, what):
    if not cond:
        print(f"journey: FAILED: {what}", flush=True)
        sys.exit(1)


def sandbox(method, path, body=None):
    """The sandbox's management API (Astronomer's side and test controls)."""
    resp = requests.request(method, f"{ARM}/_sandbox/{path}", json=body, timeout=30)
    expect(resp.ok, f"{method} /_sandbox/{path} answered {resp.status_code}: {resp.text}")
    return resp.json() if resp.text else None


# 1. MSAL alone, with the sandbox as authority and as instance discovery endpoint.
step("msal: instance discovery, OpenID configuration and a token from the sandbox")
app = msal.ConfidentialClientApplication(
    CLIENT,
    client_credential=SECRET,
    authority=f"{AUTHORITY}/{TENANT}",
    instance_discovery=f"{AUTHORITY}/common/discovery/instance",
)
result = app.acquire_token_for_client(scopes=[f"{ARM}/.default"])
expect("access_token" in result, f"msal token: {result}")

# 2. azure-identity. MSAL would ask login.microsoftonline.com whether the authority is a
# known one; azure-identity's documented switch for authorities that are not Microsoft's
# public cloud turns that off. Everything else is the library's default.
step("azure-identity: ClientSecretCredential with the sandbox as authority")
credential = ClientSecretCredential(
    TENANT, CLIENT, SECRET, authority=AUTHORITY, disable_instance_discovery=True
)
token = credential.get_token("https://management.azure.com/.default")
expect(token.token, "azure-identity returned no token")

network = NetworkManagementClient(credential, SUB, base_url=ARM)
astronomer = NetworkManagementClient(credential, PLS_ID.split("/")[2], base_url=ARM)
dns = PrivateDnsManagementClient(credential, SUB, base_url=ARM)


def endpoint_body(message):
    return PrivateEndpoint(
        location="eastus",
        subnet=Subnet(id=SUBNET),
        manual_private_link_service_connections=[
            PrivateLinkServiceConnection(
                name="astro", private_link_service_id=ALIAS, request_message=message
            )
        ],
    )


step("network: create two private endpoints (manual connection) with the SDK poller")
created = []
for name in ["sdk-pe-1", "sdk-pe-2"]:
    pe = network.private_endpoints.begin_create_or_update(
        RG, name, endpoint_body("Astro cluster clsdk, please approve")
    ).result()
    expect(pe.provisioning_state == "Succeeded", f"{name}: {pe.provisioning_state}")
    created.append(pe)

step("network: read an endpoint and its NIC")
pe = network.private_endpoints.get(RG, "sdk-pe-1")
conn = pe.manual_private_link_service_connections[0]
expect(
    conn.private_link_service_connection_state.status == "Pending",
    f"new connection: {conn.private_link_service_connection_state}",
)
nic_id = pe.network_interfaces[0].id
nic = network.network_interfaces.get(RG, nic_id.rsplit("/", 1)[1])
ip = nic.ip_configurations[0].private_ip_address
expect(ip, "the NIC has no private IP")

step("network: list endpoints by resource group and by subscription, one item per page")
sandbox("PUT", "faults", dict(sandbox("GET", "faults"), list_page_size=1))
by_rg = sorted(p.name for p in network.private_endpoints.list(RG))
by_sub = sorted(p.name for p in network.private_endpoints.list_by_subscription())
sandbox("PUT", "faults", dict(sandbox("GET", "faults"), list_page_size=0))
expect(by_rg == ["sdk-pe-1", "sdk-pe-2"], f"list by resource group: {by_rg}")
expect(by_sub == ["sdk-pe-1", "sdk-pe-2"], f"list by subscription: {by_sub}")

step("network: update an endpoint (read, change tags, PUT) with the SDK poller")
pe.tags = {"owner": "sdk"}
updated = network.private_endpoints.begin_create_or_update(RG, "sdk-pe-1", pe).result()
expect(updated.tags == {"owner": "sdk"}, f"tags after update: {updated.tags}")

step("astronomer: approve the connection on the Private Link Service")
pls_rg, pls_name = PLS_ID.split("/")[4], PLS_ID.split("/")[8]
pending = [
    c
    for c in astronomer.private_link_services.list_private_endpoint_connections(pls_rg, pls_name)
    if c.private_endpoint.id.lower() == pe.id.lower()
]
expect(len(pending) == 1, f"connections of sdk-pe-1 on the PLS: {len(pending)}")
approval = PrivateEndpointConnection(
    private_link_service_connection_state=PrivateLinkServiceConnectionState(
        status="Approved", description="Approved by Astronomer", actions_required="None"
    )
)
astronomer.private_link_services.update_private_endpoint_connection(
    pls_rg, pls_name, pending[0].name, approval
)
state = network.private_endpoints.get(RG, "sdk-pe-1").manual_private_link_service_connections[
    0
].private_link_service_connection_state
expect(state.status == "Approved", f"after approval: {state}")

step("dns: create the zone with the SDK poller")
zone = dns.private_zones.begin_create_or_update(DNS_RG, ZONE, PrivateZone(location="global")).result()
expect(zone.provisioning_state == "Succeeded", f"zone: {zone.provisioning_state}")
expect(zone.system_data is not None and zone.system_data.created_by, "zone has no systemData")

step("dns: create the A record set")
record = dns.record_sets.create_or_update(
    DNS_RG, ZONE, "A", "clsdk", RecordSet(ttl=10, a_records=[ARecord(ipv4_address=ip)])
)
expect(record.a_records[0].ipv4_address == ip, f"record: {record}")

step("dns: link the zone to the VNet with the SDK poller")
link = dns.virtual_network_links.begin_create_or_update(
    DNS_RG,
    ZONE,
    "sdk-link",
    VirtualNetworkLink(
        location="global", virtual_network=SubResource(id=VNET), registration_enabled=False
    ),
).result()
expect(link.virtual_network_link_state == "Completed", f"link: {link.virtual_network_link_state}")

step("dns: PATCH the zone's and the link's tags with the SDK pollers")
zone = dns.private_zones.begin_update(DNS_RG, ZONE, PrivateZone(tags={"team": "data"})).result()
expect(zone.tags == {"team": "data"}, f"zone tags: {zone.tags}")
link = dns.virtual_network_links.begin_update(
    DNS_RG, ZONE, "sdk-link", VirtualNetworkLink(tags={"team": "data"})
).result()
expect(link.tags == {"team": "data"}, f"link tags: {link.tags}")
expect(link.registration_enabled is False, "PATCH changed registrationEnabled")

step("dns: list zones (subscription and resource group), links and record sets")
expect([z.name for z in dns.private_zones.list()] == [ZONE], "zones of the subscription")
expect([z.name for z in dns.private_zones.list_by_resource_group(DNS_RG)] == [ZONE], "zones of the group")
expect([l.name for l in dns.virtual_network_links.list(DNS_RG, ZONE)] == ["sdk-link"], "links")
names = sorted(r.name for r in dns.record_sets.list(DNS_RG, ZONE))
expect(names == ["@", "clsdk"], f"record sets: {names}")
expect([r.name for r in dns.record_sets.list_by_type(DNS_RG, ZONE, "A")] == ["clsdk"], "A records")

step("dns: delete the record set, the link and the zone with the SDK pollers")
dns.record_sets.delete(DNS_RG, ZONE, "A", "clsdk")
dns.virtual_network_links.begin_delete(DNS_RG, ZONE, "sdk-link").result()
dns.private_zones.begin_delete(DNS_RG, ZONE).result()
try:
    dns.private_zones.get(DNS_RG, ZONE)
    expect(False, "the zone is still there after its delete")
except ResourceNotFoundError:
    pass

step("network: delete both endpoints with the SDK poller")
for name in ["sdk-pe-1", "sdk-pe-2"]:
    network.private_endpoints.begin_delete(RG, name).result()
try:
    network.private_endpoints.get(RG, "sdk-pe-1")
    expect(False, "the endpoint is still there after its delete")
except ResourceNotFoundError:
    pass

step("network: a version the definitions do not publish is refused")
try:
    network.private_endpoints.get(RG, "x", api_version="2099-01-01")
    expect(False, "api-version 2099-01-01 was accepted")
except HttpResponseError as err:
    expect(err.error is not None and err.error.code == "NoRegisteredProviderFound", f"{err}")

print("journey: ok", flush=True)
print(json.dumps({"endpoint_ip": ip}), flush=True)

"""``make sam-local``'s pieces that need no Docker: where containers reach this machine, the
architecture the functions are built for, and the --env-vars file sam reads."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from portfolio.cli.serve import _sam_env_vars
from portfolio.infra.template import load_template, resources
from tools.sam_local import SamLocalError, bridge_gateway, lambda_architecture

pytestmark = pytest.mark.unit


def _inspect(*config: dict[str, str]) -> str:
    return json.dumps([{"Name": "bridge", "IPAM": {"Driver": "default", "Config": list(config)}}])


def test_containers_reach_this_machine_at_the_bridge_gateway() -> None:
    assert bridge_gateway(_inspect({"Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"})) == "172.18.0.1"


def test_without_a_named_gateway_it_is_the_subnets_first_address() -> None:
    # Debian's docker.io 20.10 names no Gateway for the default bridge; Docker puts it there.
    assert bridge_gateway(_inspect({"Subnet": "172.17.0.0/16"})) == "172.17.0.1"


def test_an_ipv6_only_bridge_is_refused_in_words() -> None:
    with pytest.raises(SamLocalError, match="no IPv4 gateway"):
        bridge_gateway(_inspect({"Subnet": "fd00::/64"}))


@pytest.mark.parametrize(
    ("machine", "architecture"),
    [("x86_64", "x86_64"), ("AMD64", "x86_64"), ("aarch64", "arm64"), ("arm64", "arm64")],
)
def test_functions_are_built_for_the_machine_they_run_on(machine: str, architecture: str) -> None:
    assert lambda_architecture(machine) == architecture


def test_a_machine_lambda_cannot_run_is_refused() -> None:
    with pytest.raises(SamLocalError, match="riscv64"):
        lambda_architecture("riscv64")


def test_deployed_functions_and_the_layer_are_arm64_unless_asked_otherwise() -> None:
    template = load_template()
    parameter = template["Parameters"]["FunctionArchitecture"]
    assert parameter["Default"] == "arm64"
    assert sorted(parameter["AllowedValues"]) == ["arm64", "x86_64"]
    assert template["Globals"]["Function"]["Architectures"] == [{"Ref": "FunctionArchitecture"}]
    (layer,) = resources(template, "AWS::Serverless::LayerVersion").values()
    assert layer["Metadata"]["BuildArchitecture"] == {"Ref": "FunctionArchitecture"}
    assert layer["Properties"]["CompatibleArchitectures"] == [{"Ref": "FunctionArchitecture"}]


def test_the_env_vars_file_gives_every_function_the_stacks_environment() -> None:
    # Given a running stack's function environment
    info = SimpleNamespace(
        function_environment={
            "AWS_ENDPOINT_URL": "http://172.17.0.1:4566",
            "PORTFOLIOS_TABLE": "PortfoliosTable",
        }
    )
    # When it is written for sam local --env-vars
    written = json.loads(_sam_env_vars(info))
    # Then "Parameters" holds it: sam applies that key to every function
    assert written == {"Parameters": info.function_environment}


def test_sam_local_gets_the_template_without_its_authorizer_less_preflights() -> None:
    # Given the template's read function: GET and HEAD behind the authorizer, OPTIONS not
    from tools.sam_local import without_preflight_events

    template = load_template()
    events = template["Resources"]["ReadApiFunction"]["Properties"]["Events"]
    preflights = {name for name, event in events.items() if event["Properties"]["Method"] == "OPTIONS"}
    assert preflights
    # When sam local's copy is made
    copied = without_preflight_events(template)
    # Then only the preflights are gone: sam cannot merge an authorizer-less method into a path
    kept = copied["Resources"]["ReadApiFunction"]["Properties"]["Events"]
    assert set(kept) == set(events) - preflights
    assert all(event["Properties"].get("Auth", {}).get("Authorizer") != "NONE" for event in kept.values())
    # And the template itself is untouched
    assert set(template["Resources"]["ReadApiFunction"]["Properties"]["Events"]) == set(events)

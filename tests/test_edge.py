"""ip-blocklist and edge-cache: what the rule cases cannot show.

The CLOUDFRONT-scope resources go through the provider alias aws.us_east_1 whatever the
blueprint's Region, and the REGIONAL ones do not; the web ACL's ARN reaches the distribution
of the combined example (and nothing flows back, so there is no cycle); the blocklist is
normalised before it reaches Terraform; network ACL entries are numbered below the allow rule;
the stand-in provider, applying the combined example, puts the CLOUDFRONT web ACL, its logs and
the distribution's logs and alarm in us-east-1.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from archgen import api
from archgen.patterns import ip_blocklist
from conftest import ROOT, rendered, write_tree

COMBINED = ROOT / "blueprints" / "edge.yaml"
BLOCKLIST = ROOT / "blueprints" / "ip-blocklist.yaml"
EDGE_CACHE = ROOT / "blueprints" / "edge-cache.yaml"
ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a4b"


def blocks(text: str, kind: str = "resource") -> dict[str, str]:
    """Each top-level `resource "type" "name" {...}` (or data) block's text, by type.name."""
    found = {}
    for match in re.finditer(rf'^{kind} "(\w+)" "(\w+)" {{\n', text, re.M):
        end = text.index("\n}\n", match.start())
        found[f"{match.group(1)}.{match.group(2)}"] = text[match.start() : end]
    return found


def read(text: str, tmp_path: Path, name: str = "bp.yaml") -> api.Blueprint:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return api.read_blueprint(path)


def rules_of(bp: api.Blueprint) -> list[tuple[str, str, str]]:
    return [(f.rule, f.severity, f.path) for f in bp.findings()]


# --- the provider alias ---------------------------------------------------------------------


def test_cloudfront_scope_goes_through_the_us_east_1_alias():
    files = rendered(COMBINED).files
    assert 'region = "eu-central-1"' in files["providers.tf"]
    assert re.search(r'alias\s+= "us_east_1"\n\s+region = "us-east-1"', files["providers.tf"])
    for module in ("web", "blocklist"):
        call = files["main.tf"][files["main.tf"].index(f'module "{module}"') :]
        assert re.search(r"providers = \{\n\s+aws\s+= aws\n\s+aws\.us_east_1 = aws\.us_east_1\n\s+\}", call[:400]), module
        assert "configuration_aliases = [aws.us_east_1]" in files[f"modules/{module}/versions.tf"]

    waf = blocks(files["modules/blocklist/main.tf"])
    assert {k for k in waf if k.startswith("aws_wafv2")} == {"aws_wafv2_ip_set.cloudfront", "aws_wafv2_web_acl.cloudfront", "aws_wafv2_web_acl_logging_configuration.cloudfront"}
    for address, block in waf.items():
        assert "provider = aws.us_east_1" in block, address
        if "scope" in block:
            assert 'scope              = "CLOUDFRONT"' in block or 'scope       = "CLOUDFRONT"' in block, address

    edge = files["modules/web/main.tf"]
    resources = blocks(edge)
    for address in ("aws_cloudwatch_log_group.access", "aws_cloudwatch_log_delivery_source.access", "aws_cloudwatch_log_delivery_destination.access",
                    "aws_cloudwatch_log_delivery.access", "aws_cloudwatch_metric_alarm.distribution_5xx"):
        assert "provider = aws.us_east_1" in resources[address], address
    assert "provider = aws.us_east_1" in blocks(edge, "data")["aws_acm_certificate.viewer"]
    # CloudFront itself is global: its resources take the default provider
    for address in ("aws_cloudfront_distribution.this", "aws_cloudfront_cache_policy.this"):
        assert "provider" not in resources[address].split("\n", 3)[1], address


def test_regional_blocklist_needs_no_alias():
    files = rendered(BLOCKLIST).files
    assert "alias" not in files["providers.tf"]
    assert "configuration_aliases" not in files["modules/blocklist/versions.tf"]
    main = files["modules/blocklist/main.tf"]
    assert "aws.us_east_1" not in main and "CLOUDFRONT" not in main
    assert 'scope              = "REGIONAL"' in main
    assert 'resource "aws_wafv2_web_acl_association" "regional"' in main
    assert 'resource "aws_network_acl_rule" "deny"' in main


# --- the web ACL reaches the distribution, and nothing comes back ----------------------------------


def test_web_acl_arn_reaches_the_distribution():
    files = rendered(COMBINED).files
    call = files["main.tf"][files["main.tf"].index('module "web"') :]
    call = call[: call.index("\n}\n")]
    assert re.search(r"web_acl_arn\s+= module\.blocklist\.cloudfront_web_acl_arn", call)
    assert re.search(r"web_acl_id\s+= var\.web_acl_arn", blocks(files["modules/web/main.tf"])["aws_cloudfront_distribution.this"])
    assert re.search(r'output "cloudfront_web_acl_arn" \{[^}]*value\s+= aws_wafv2_web_acl\.cloudfront\[0\]\.arn', files["modules/blocklist/outputs.tf"])
    blocklist_call = files["main.tf"][files["main.tf"].index('module "blocklist"') :]
    assert "module.web" not in blocklist_call  # no cycle: the blocklist needs nothing of the distribution


def test_patterns_do_not_import_each_other():
    for name, other in (("ip_blocklist", "edge_cache"), ("edge_cache", "ip_blocklist")):
        source = (ROOT / "archgen" / "patterns" / f"{name}.py").read_text()
        assert not re.search(rf"^\s*(from|import) .*\b{other}\b", source, re.M), name


def test_existing_distribution_gets_instructions(tmp_path):
    bp = read(
        """
        archgen: 1
        name: shop
        region: eu-west-1
        components:
          - name: blocklist
            pattern: ip-blocklist
            blocked: [192.0.2.1]
            enforce:
              - cloudfront_waf: {distribution_id: E2QWRUHAPOMQZL}
        """,
        tmp_path,
    )
    assert bp.ok and bp.findings() == []
    module = bp.components[0].module
    assert module.attach == {} and module.provider_aliases == {"us_east_1": "us-east-1"}
    assert any("E2QWRUHAPOMQZL" in n and "blocklist_cloudfront_web_acl_arn" in n for n in module.notes)


def test_a_security_group_builds_nothing_and_says_why(tmp_path):
    bp = read(
        f"""
        archgen: 1
        name: shop
        region: eu-west-1
        components:
          - name: blocklist
            pattern: ip-blocklist
            blocked: [192.0.2.1]
            enforce:
              - security_group: {{security_group_id: sg-0a1b2c3d}}
              - alb_waf: {{load_balancer_arn: "{ALB_ARN}"}}
        """,
        tmp_path,
    )
    assert rules_of(bp) == [("AG510", "warning", "components[0].enforce[0].security_group")]
    module = bp.components[0].module
    assert "sg-0a1b2c3d" not in json.dumps(module.inputs)
    assert any("security group" in n for n in module.notes)


# --- the blocklist as Terraform gets it ----------------------------------------------------------------


def test_blocked_list_is_normalised_sorted_and_deduplicated(tmp_path):
    bp = read(
        f"""
        archgen: 1
        name: shop
        region: eu-west-1
        components:
          - name: blocklist
            pattern: ip-blocklist
            blocked: ["2001:DB8:BAD:0::/48", 203.0.113.7, 198.51.100.128/25, 198.51.100.0/24, 203.0.113.7/32, "2001:db8:bad:1::/64"]
            enforce:
              - alb_waf: {{load_balancer_arn: "{ALB_ARN}"}}
        """,
        tmp_path,
    )
    assert bp.ok
    assert sorted(rules_of(bp)) == [
        ("AG503", "warning", "components[0].blocked[2]"),
        ("AG503", "warning", "components[0].blocked[4]"),
        ("AG503", "warning", "components[0].blocked[5]"),
    ]
    assert bp.components[0].module.inputs["blocked_cidrs"] == {"ipv4": ["198.51.100.0/24", "203.0.113.7/32"], "ipv6": ["2001:db8:bad::/48"]}


def test_host_bits_are_refused_not_guessed(tmp_path):
    bp = read(
        f"""
        archgen: 1
        name: shop
        region: eu-west-1
        components:
          - name: blocklist
            pattern: ip-blocklist
            blocked: [203.0.113.7/24]
            enforce:
              - alb_waf: {{load_balancer_arn: "{ALB_ARN}"}}
        """,
        tmp_path,
    )
    assert not bp.ok and bp.components == []
    (finding,) = bp.findings()
    assert finding.rule == "AG501" and "203.0.113.0/24" in finding.message and "203.0.113.7/32" in finding.message


@pytest.mark.parametrize("count,below,first,step", [(3, 100, 10, 10), (36, 100, 2, 2), (5, 50, 8, 8), (18, 100, 5, 5), (76, 100, 1, 1)])
def test_nacl_entries_are_numbered_below_the_allow_rule(count, below, first, step):
    nacl = ip_blocklist.BlocklistNacl(network_acl_id="acl-0a1b2c3d", below_rule=below)
    assert ip_blocklist.nacl_numbers(nacl, count) == (first, step)
    numbers = [first + step * i for i in range(count)]
    assert numbers == sorted(set(numbers)) and numbers[0] >= 1 and numbers[-1] < below


def test_long_blocklist_is_refused_for_nacl_and_pointed_at_waf(tmp_path):
    addresses = ", ".join(f"192.0.2.{i}" for i in range(1, 20))
    bp = read(
        f"""
        archgen: 1
        name: shop
        region: eu-west-1
        components:
          - name: blocklist
            pattern: ip-blocklist
            blocked: [{addresses}]
            enforce:
              - nacl: {{network_acl_id: acl-0a1b2c3d}}
        """,
        tmp_path,
    )
    (finding,) = bp.findings()
    assert finding.rule == "AG505" and "alb_waf or cloudfront_waf" in finding.message and "10,000" in finding.message


# --- edge-cache -------------------------------------------------------------------------------------------


def test_cloudfront_names_carry_the_region(tmp_path):
    """CloudFront names are global (and its logs and alarm live in us-east-1): two Regions, two names."""
    text = EDGE_CACHE.read_text()
    seen = set()
    for region in ("eu-west-1", "us-east-2"):
        path = tmp_path / f"{region}.yaml"
        path.write_text(text.replace("region: eu-west-1", f"region: {region}").replace(".eu-west-1.amazonaws.com", f".{region}.amazonaws.com"))
        bp = api.read_blueprint(path)
        assert bp.ok, bp.findings()
        names = bp.components[0].module.inputs["names"]
        assert all(region in v for v in names.values())
        seen.add(names["policies"])
    assert len(seen) == 2


def test_distribution_alarm_notifies_only_topics_in_us_east_1(tmp_path):
    base = """
        archgen: 1
        name: shop
        region: {region}
        alarms: {{emails: [oncall@example.com]}}
        components:
          - name: web
            pattern: edge-cache
            origin: {{kind: s3, domain: web-assets.s3.{region}.amazonaws.com}}
            cdn: {{aliases: [www.example.com], certificate_arn: "{cert}"}}
        """
    at_home = read(base.format(region="us-east-1", cert=CERT), tmp_path, "home.yaml")
    assert str(at_home.components[0].module.inputs["distribution_alarm_actions"]) == "[aws_sns_topic.alarms.arn]"
    away = read(base.format(region="eu-west-1", cert=CERT), tmp_path, "away.yaml")
    module = away.components[0].module
    assert "distribution_alarm_actions" not in module.inputs
    assert any("notifies no one" in line and "alarm_topic_arn" in line for line in module.inventory)


def test_alb_by_its_elb_name_gets_the_viewer_host(tmp_path):
    bp = read(
        f"""
        archgen: 1
        name: shop
        region: eu-west-1
        components:
          - name: web
            pattern: edge-cache
            origin: {{kind: alb, domain: web-123.eu-west-1.elb.amazonaws.com}}
            cdn: {{aliases: [www.example.com], certificate_arn: "{CERT}"}}
        """,
        tmp_path,
    )
    assert bp.ok and bp.findings() == []
    assert bp.components[0].module.inputs["origin"]["forward_host_header"] is True
    main = api.render_files(bp).files["modules/web/main.tf"]
    assert 'var.origin.forward_host_header ? "allViewer" : "allExcept"' in main
    assert 'origin_protocol_policy = "https-only"' in main and 'viewer_protocol_policy     = "redirect-to-https"' in main


def test_data_cache_keeps_no_secret():
    files = rendered(EDGE_CACHE).files
    main = files["modules/api/main.tf"]
    for word in ("auth_token", "passwords", "random_", "secret_string"):
        assert word not in main, word
    users = blocks(main)
    assert 'type = "iam"' in users["aws_elasticache_user.app"]
    assert 'access_string = "off -@all"' in users["aws_elasticache_user.default"]
    group = users["aws_elasticache_replication_group.this"]
    for setting in ('transit_encryption_mode    = "required"', "at_rest_encryption_enabled = true", "automatic_failover_enabled = true", "user_group_ids"):
        assert setting in group, setting
    assert '"elasticache:Connect"' in main


# --- through Terraform and the stand-in provider ----------------------------------------------------------


def _terraform(out: Path, *args: str) -> subprocess.CompletedProcess:
    from archgen.terraform_gate import _base_env, default_mirror, terraform_binary

    env = _base_env(str(default_mirror().cli_config))
    return subprocess.run([terraform_binary(), *args], cwd=out, env=env, capture_output=True, text=True, timeout=600, check=False)


def _applied(files: dict, out: Path) -> dict[str, dict]:
    write_tree({k: v for k, v in files.items() if k != "backend.tf"}, out)
    for step in (("init", "-input=false"), ("apply", "-input=false", "-auto-approve")):
        proc = _terraform(out, *step)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    state = json.loads(_terraform(out, "show", "-json").stdout)
    found: dict[str, dict] = {}

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            found[resource["address"]] = resource["values"]
        for child in module.get("child_modules", []):
            walk(child)

    walk(state["values"]["root_module"])
    return found


@pytest.mark.slow
def test_applied_combined_example_puts_cloudfront_scope_in_us_east_1(tmp_path):
    state = _applied(rendered(COMBINED).files, tmp_path / "out")
    acl = state["module.blocklist.aws_wafv2_web_acl.cloudfront[0]"]
    assert acl["scope"] == "CLOUDFRONT" and acl["region"] == "us-east-1" and ":us-east-1:" in acl["arn"]
    for address in ("module.blocklist.aws_wafv2_ip_set.cloudfront[\"ipv4\"]", "module.blocklist.aws_wafv2_ip_set.cloudfront[\"ipv6\"]",
                    "module.blocklist.aws_cloudwatch_log_group.cloudfront[0]", "module.blocklist.aws_wafv2_web_acl_logging_configuration.cloudfront[0]",
                    "module.web.aws_cloudwatch_log_group.access", "module.web.aws_cloudwatch_metric_alarm.distribution_5xx"):
        assert state[address]["region"] == "us-east-1", address
    assert state["module.blocklist.aws_wafv2_ip_set.cloudfront[\"ipv4\"]"]["addresses"] == ["198.51.100.0/24", "203.0.113.7/32"]
    distribution = state["module.web.aws_cloudfront_distribution.this"]
    assert distribution["web_acl_id"] == acl["arn"]
    assert distribution["viewer_certificate"][0]["minimum_protocol_version"] == "TLSv1.2_2021"


@pytest.mark.slow
def test_applied_blocklist_numbers_nacl_entries_and_stays_regional(tmp_path):
    state = _applied(rendered(BLOCKLIST).files, tmp_path / "out")
    entries = [v for k, v in state.items() if k.startswith("module.blocklist.aws_network_acl_rule.deny[")]
    assert len(entries) == 2 * 4  # 3 IPv4 and 1 IPv6 ranges, inbound and outbound
    for egress in (False, True):
        numbers = sorted(e["rule_number"] for e in entries if e["egress"] is egress)
        assert numbers == [10, 20, 30, 40]
        assert all(e["rule_action"] == "deny" and e["protocol"] == "-1" for e in entries)
    ipv6 = [e for e in entries if e["ipv6_cidr_block"]]
    assert {e["ipv6_cidr_block"] for e in ipv6} == {"2001:db8:bad::/48"} and all(e["cidr_block"] in (None, "") for e in ipv6)
    acl = state["module.blocklist.aws_wafv2_web_acl.regional[0]"]
    assert acl["scope"] == "REGIONAL" and acl["region"] == "eu-west-1"
    association = state[f'module.blocklist.aws_wafv2_web_acl_association.regional["{"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-web/50dc6c495c0c9188"}"]']
    assert association["web_acl_arn"] == acl["arn"]


@pytest.mark.slow
def test_certificate_lookup_outside_us_east_1_is_refused(tmp_path):
    """The postcondition on the certificate lookup catches a lookup through the wrong provider."""
    files = dict(rendered(COMBINED).files)
    main = files["modules/web/main.tf"]
    lookup = blocks(main, "data")["aws_acm_certificate.viewer"]
    files["modules/web/main.tf"] = main.replace(lookup, lookup.replace("  provider = aws.us_east_1\n", ""))
    out = write_tree({k: v for k, v in files.items() if k != "backend.tf"}, tmp_path / "out")
    assert _terraform(out, "init", "-input=false").returncode == 0
    proc = _terraform(out, "plan", "-input=false", "-lock=false", "-refresh=false")
    assert proc.returncode != 0 and "CloudFront takes ACM certificates from us-east-1 only" in proc.stdout + proc.stderr

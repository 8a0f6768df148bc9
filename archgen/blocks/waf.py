"""Building block: an AWS WAF (v2) web ACL that blocks a list of addresses.

One web ACL per scope: REGIONAL (associated with Application Load Balancers, in the
blueprint's Region) or CLOUDFRONT (created in us-east-1, attached to distributions).
Each has an IP set per address family and a block rule on each, first; an optional
rate-based rule; AWS managed rule groups; CloudWatch metrics; and logging to a
CloudWatch Logs log group named `aws-waf-logs-...` (AWS WAF requires the prefix),
with the authorization and cookie headers redacted.

Fields, rules (AG51x, in the ip-blocklist family), names and limits live here; the
Terraform lives in templates/_blocks/waf.tf.j2.
"""

from __future__ import annotations

from typing import Iterator

from ..modeling import Field

from ..model import Duration, Int, Strict
from ..names import AwsName, namespace
from ..rules import Context, Violation, default, limit, rule
from ..units import human_duration
from .function import LOG_GROUP

WEB_ACL = namespace("wafv2-web-acl", "WAF web ACL", 128, "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html")
IP_SET = namespace("wafv2-ip-set", "WAF IP set", 128, "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateIPSet.html")

QUOTAS_URL = "https://docs.aws.amazon.com/waf/latest/developerguide/limits.html"
IP_SET_URL = "https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-ipset-match.html"
RATE_URL = "https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html"
RATE_API_URL = "https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html"
WCU_URL = "https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html"
MANAGED_URL = "https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html"
LOGGING_URL = "https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html"

# "An IP set can hold up to 10,000 IP addresses or IP address ranges to check" (IP_SET_URL);
# archgen makes one IP set per address family.
IP_SET_ADDRESSES = limit("waf_ip_set_addresses", 1, 10_000, "addresses", IP_SET_URL)
# RateBasedStatement.Limit: "Valid Range: Minimum value of 10. Maximum value of 2000000000."
RATE_LIMIT = limit("waf_rate_limit", 10, 2_000_000_000, "requests", RATE_API_URL)
# "Valid settings are 60 (1 minute), 120 (2 minutes), 300 (5 minutes), and 600 (10 minutes)"
RATE_WINDOWS = (60, 120, 300, 600)
# a web ACL can use up to 5,000 WCUs; above 1,500 each further 500 WCUs cost extra (WCU_URL)
WEB_ACL_WCU = 5_000
# what archgen's own rules take, at most: an IP set match per family (1 WCU each, 2 with the
# forwarded-address alternative) and the rate-based rule (2 WCUs plus its aggregation)
OWN_RULES_WCU = 10

# AWS Managed Rules rule groups without extra fees, with their capacity (MANAGED_URL)
MANAGED_RULE_GROUPS: dict[str, int] = {
    "AWSManagedRulesCommonRuleSet": 700,
    "AWSManagedRulesAdminProtectionRuleSet": 100,
    "AWSManagedRulesKnownBadInputsRuleSet": 200,
    "AWSManagedRulesSQLiRuleSet": 200,
    "AWSManagedRulesLinuxRuleSet": 200,
    "AWSManagedRulesUnixRuleSet": 100,
    "AWSManagedRulesWindowsRuleSet": 200,
    "AWSManagedRulesPHPRuleSet": 100,
    "AWSManagedRulesWordPressRuleSet": 100,
    "AWSManagedRulesAmazonIpReputationList": 25,
    "AWSManagedRulesAnonymousIpList": 50,
}
LOG4J_GROUP = "AWSManagedRulesKnownBadInputsRuleSet"
DEFAULT_MANAGED_RULES = default(
    "waf_managed_rules",
    (
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesAnonymousIpList",
    ),
)
DEFAULT_LOG_RETENTION_DAYS = default("waf_log_retention_days", 365)


class WafRateLimit(Strict):
    """A rate-based rule: block an address that sends more than `limit` requests in `window`."""

    limit: Int = Field(description="requests per window and client address (10..2,000,000,000)")
    window: Duration = Field(300, description="the evaluation window: 60s, 2m, 5m (default) or 10m")


@rule("AG512", "a rate limit is 10..2,000,000,000 requests in a window of 1, 2, 5 or 10 minutes", RATE_URL, part=WafRateLimit)
def rate_limit_valid(r: WafRateLimit, ctx: Context) -> Iterator[Violation]:
    yield from RATE_LIMIT.check(r.limit, ("limit",))
    if r.window not in RATE_WINDOWS:
        yield Violation(("window",), f"AWS WAF counts over 1, 2, 5 or 10 minutes, got {human_duration(r.window)}")


def managed_rules_problems(names: list[str], path: tuple) -> Iterator[Violation]:
    """Unknown or repeated managed rule groups, and a web ACL over its capacity."""
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name not in MANAGED_RULE_GROUPS:
            close = [n for n in MANAGED_RULE_GROUPS if name.lower() in n.lower()]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            yield Violation(path + (i,), f"{name!r} is not an AWS managed rule group archgen knows (one of: {', '.join(MANAGED_RULE_GROUPS)}){hint}")
        elif name in seen:
            yield Violation(path + (i,), f"{name} is listed twice")
        seen.add(name)
    total = sum(MANAGED_RULE_GROUPS.get(n, 0) for n in seen) + OWN_RULES_WCU
    if total > WEB_ACL_WCU:
        yield Violation(path, f"the rule groups need {total} web ACL capacity units (WCUs); a web ACL holds at most {WEB_ACL_WCU}")


# --- names and inputs ---------------------------------------------------------------


def log_group_name(acl_name: str) -> str:
    """AWS WAF logs only to log groups whose name starts with aws-waf-logs- (LOGGING_URL)."""
    return f"aws-waf-logs-{acl_name}"


def names(acl_name: str, families: list[str], path: tuple) -> list[AwsName]:
    return [AwsName(WEB_ACL, acl_name, path), AwsName(LOG_GROUP, log_group_name(acl_name), path)] + [
        AwsName(IP_SET, f"{acl_name}-{family}", path) for family in families
    ]


def web_acl_inputs(acl_name: str, families: list[str], description: str, forwarded_ip: bool = False) -> dict:
    """One web ACL's settings: its names (decided once here) and how it reads the client address."""
    data: dict = {
        "name": acl_name,
        "description": description,
        "ip_set_names": {family: f"{acl_name}-{family}" for family in families},
        "log_group_name": log_group_name(acl_name),
    }
    if forwarded_ip:
        data["forwarded_ip"] = True
    return data


def rate_limit_inputs(r: WafRateLimit | None) -> dict | None:
    if r is None:
        return None
    return {"limit": r.limit, "evaluation_window_sec": r.window}

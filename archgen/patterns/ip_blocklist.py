"""ip-blocklist: deny listed addresses where they can be seen: network ACL entries, a REGIONAL
WAF web ACL on Application Load Balancers, a CLOUDFRONT web ACL (us-east-1) on distributions.

Where a control cannot see the client's address, archgen says so: a network ACL behind
CloudFront (or behind an ALB) sees the proxy's addresses; a security group only allows, so
it cannot block one address; a Network Load Balancer passes client addresses through, so a
network ACL on its targets' subnets works.

The CLOUDFRONT web ACL reaches an `edge-cache` component of the same blueprint through
`Module.attach`: its module declares `variable "web_acl_arn"` and sets the distribution's
`web_acl_id` from it. Nothing flows back, so the two modules form no cycle.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Iterator, Literal

from ..modeling import Field

from .. import hcl
from ..blocks import waf
from ..blocks.function import RETENTION_URL, check_log_retention
from ..blocks.waf import WafRateLimit
from ..findings import shown
from ..model import ComponentBase, ComponentName, Duration, Int, Strict
from ..rules import Context, Violation, limit, rule
from ..units import human_duration
from . import BuildContext, Edge, Module, Node, Pattern

NACL_URL = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"
NACL_QUOTA_URL = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-nacls"
NACL_RULE_URL = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNetworkAclEntry.html"
SG_URL = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-group-rules.html"
NLB_URL = "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation"
CLOUDFRONT_WAF_URL = "https://docs.aws.amazon.com/waf/latest/developerguide/cloudfront-features.html"
ASSOCIATION_URL = "https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html"
CIDR_URL = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"

# "Rules per network ACL: 20 ... one-way quota ... enforced separately for IPv4 rules and IPv6
# rules ... includes the default deny rules ... can be increased up to a maximum of 40"
NACL_RULES_QUOTA = limit("nacl_rules_quota", 20, 40, "rules", NACL_QUOTA_URL)
# CreateNetworkAclEntry: "Positive integer from 1 to 32766"
NACL_RULE_NUMBER = limit("nacl_rule_number", 1, 32766, "", NACL_RULE_URL)
DEFAULT_DENY_RULES = 1  # 32767 (IPv4) or 32768 (IPv6), counted in the quota
MAX_STEP = 10

NETWORK_ACL_ID = re.compile(r"^acl-([0-9a-f]{8}|[0-9a-f]{17})\Z")
SECURITY_GROUP_ID = re.compile(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})\Z")
LB_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:(?P<region>[a-z0-9-]+):\d{12}:loadbalancer/(?P<kind>app|net|gwy)/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}\Z")
DISTRIBUTION_ID = re.compile(r"^E[A-Z0-9]{10,15}\Z")
EDGE_PATTERN = "edge-cache"


class BlocklistNacl(Strict):
    """Deny entries on an existing network ACL, numbered below its allow rule."""

    network_acl_id: str = Field(description="the network ACL, acl-...")
    egress: bool = Field(False, description="also deny traffic to the addresses (outbound entries)")
    rules_quota: Int = Field(20, description="the account's 'Rules per network ACL' quota, per direction and address family (20, raised up to 40)")
    other_rules: Int = Field(1, description="rules the ACL already holds per direction and address family, besides the default deny (e.g. the allow rule 100)")
    below_rule: Int = Field(100, description="the deny entries are numbered below this rule (the usual allow rule 100)")
    traffic_from: Literal["clients", "nlb", "alb", "cloudfront"] = Field(
        "clients",
        description="what sends the packets this ACL's subnets receive: clients directly, a Network Load Balancer, "
        "an Application Load Balancer (its targets' subnets) or CloudFront (e.g. the ALB's subnets behind a distribution)",
    )


class BlocklistAlbWaf(Strict):
    """A REGIONAL web ACL associated with an Application Load Balancer."""

    load_balancer_arn: str = Field(description="ARN of the Application Load Balancer, in the blueprint's Region")
    behind_cloudfront: bool = Field(
        False,
        description="the ALB is a CloudFront origin: match the viewer address CloudFront appends to X-Forwarded-For too",
    )


class BlocklistCloudFrontWaf(Strict):
    """A CLOUDFRONT web ACL (created in us-east-1), for an edge-cache component or an existing distribution."""

    component: ComponentName | None = Field(None, description="an edge-cache component of this blueprint")
    distribution_id: str | None = Field(None, description="an existing distribution (the README says how to attach the web ACL)")


class BlocklistSecurityGroup(Strict):
    """Not a control: a security group only allows traffic. archgen says why and builds nothing."""

    security_group_id: str = Field(description="the security group, sg-...")


class BlocklistEnforce(Strict):
    """One place the blocklist is enforced: exactly one of the keys."""

    nacl: BlocklistNacl | None = None
    alb_waf: BlocklistAlbWaf | None = None
    cloudfront_waf: BlocklistCloudFrontWaf | None = None
    security_group: BlocklistSecurityGroup | None = None

    def kind(self) -> str | None:
        given = [k for k in ("nacl", "alb_waf", "cloudfront_waf", "security_group") if getattr(self, k) is not None]
        return given[0] if len(given) == 1 else None


class IpBlocklist(ComponentBase):
    pattern: Literal["ip-blocklist"]
    blocked: list[str] = Field(min_length=1, description="IPv4 and IPv6 addresses or CIDR blocks to deny")
    enforce: list[BlocklistEnforce] = Field(min_length=1, description="where: {nacl: ...}, {alb_waf: ...} or {cloudfront_waf: ...}")
    rate_limit: WafRateLimit | None = Field(None, description="WAF: also block an address above this many requests per window")
    managed_rules: list[str] = Field(default_factory=lambda: list(waf.DEFAULT_MANAGED_RULES), description="WAF: AWS managed rule groups, in order")
    log_retention: Duration = Field(waf.DEFAULT_LOG_RETENTION_DAYS * 86400, description="WAF logs: CloudWatch Logs retention (default 365d)")

    def entries(self, kind: str) -> list[tuple[int, object]]:
        return [(i, getattr(e, kind)) for i, e in enumerate(self.enforce) if e.kind() == kind]


# --- the address list ---------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _parse(items: tuple[str, ...]) -> tuple[tuple, tuple]:
    found: list[tuple[int, str, object]] = []
    problems: list[tuple[str, Violation]] = []
    for i, text in enumerate(items):
        where = ("blocked", i)
        candidate = text.strip()
        if not candidate or "%" in candidate or candidate != text:
            problems.append(("AG500", Violation(where, f"not an IPv4 or IPv6 address or CIDR block: {shown(text)}")))
            continue
        try:
            network = ipaddress.ip_network(candidate, strict=False)
        except ValueError:
            problems.append(("AG500", Violation(where, f"not an IPv4 or IPv6 address or CIDR block: {shown(text)}")))
            continue
        if network.version == 6 and network.network_address.ipv4_mapped is not None:
            mapped = f"{network.network_address.ipv4_mapped}/{max(network.prefixlen - 96, 0)}"
            problems.append(("AG500", Violation(where, f"{text} is an IPv4-mapped IPv6 address: write the IPv4 form ({mapped})")))
            continue
        if network.prefixlen == 0:
            family = "IPv4" if network.version == 4 else "IPv6"
            problems.append(("AG502", Violation(where, f"{text} is every {family} address: AWS WAF refuses /0 and a network ACL would cut off all traffic")))
            continue
        try:
            ipaddress.ip_network(candidate, strict=True)
        except ValueError:
            host = f"{candidate.split('/')[0]}/{network.max_prefixlen}"
            problems.append(("AG501", Violation(where, f"{text} has host bits set: archgen refuses it rather than guess; write {network} for the whole block or {host} for the one address")))
            continue
        found.append((i, str(network), network))
    # Sorted by address, wider blocks (and earlier duplicates) first: an entry is redundant when
    # the widest block kept so far in its family reaches past its last address.
    kept: list[tuple[int, str, object]] = []
    cover: dict[int, tuple[int, str, object]] = {}
    for i, text, network in sorted(found, key=lambda f: (f[2].version, f[2].network_address, f[2].prefixlen, f[0])):
        wide = cover.get(network.version)
        if wide is not None and network.broadcast_address <= wide[2].broadcast_address:
            how = "is the same block as" if text == wide[1] else "lies inside"
            problems.append(("AG503", Violation(("blocked", i), f"{items[i]} {how} blocked[{wide[0]}] ({wide[1]}): archgen leaves it out")))
            continue
        kept.append((i, text, network))
        cover[network.version] = (i, text, network)
    return tuple(kept), tuple(problems)


def parse_blocked(items: list[str]) -> tuple[list[tuple[int, str, ipaddress.IPv4Network | ipaddress.IPv6Network]], list[tuple[str, Violation]]]:
    """Each usable entry as (index, normalised text, network), sorted by family and address, and
    the problems: (rule id, violation). Entries with a problem, and redundant ones, are left out."""
    kept, problems = _parse(tuple(items))
    return list(kept), list(problems)


def families(c: IpBlocklist) -> dict[str, list[str]]:
    """The normalised blocklist by family, IPv4 then IPv6, each sorted by address."""
    kept, _ = parse_blocked(c.blocked)
    out: dict[str, list[str]] = {"ipv4": [], "ipv6": []}
    for _, text, network in kept:
        out[f"ipv{network.version}"].append(text)
    return out


def nacl_capacity(n: BlocklistNacl) -> int:
    """Deny entries the ACL can take per direction and address family."""
    return n.rules_quota - DEFAULT_DENY_RULES - n.other_rules


def nacl_numbers(n: BlocklistNacl, count: int) -> tuple[int, int]:
    """(first rule number, step): `count` entries ascending below `below_rule`, with gaps of up to 10."""
    step = max(1, min(MAX_STEP, (n.below_rule - 1) // (count + 1)))
    return step, step  # the first entry is one step above 0: room below it, too


# --- rules -----------------------------------------------------------------------------------


def _problems(c: IpBlocklist, rule_id: str) -> Iterator[Violation]:
    for found, violation in parse_blocked(c.blocked)[1]:
        if found == rule_id:
            yield violation


@rule("AG500", "every blocked entry is an IPv4 or IPv6 address or CIDR block", CIDR_URL, part=IpBlocklist)
def blocked_valid(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    yield from _problems(c, "AG500")


@rule("AG501", "a blocked CIDR block has its host bits zero (archgen refuses rather than guess)", CIDR_URL, part=IpBlocklist)
def blocked_host_bits(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    yield from _problems(c, "AG501")


@rule("AG502", "no blocked entry is /0", waf.IP_SET_URL, part=IpBlocklist)
def blocked_not_everything(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    """AWS WAF supports all IPv4 and IPv6 CIDR ranges except /0."""
    yield from _problems(c, "AG502")


@rule("AG503", "a blocked entry is not repeated nor inside another one (archgen leaves it out)", CIDR_URL, part=IpBlocklist, severity="warning")
def blocked_not_redundant(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    yield from _problems(c, "AG503")


@rule("AG504", "each enforce entry names exactly one control, and each target once", CLOUDFRONT_WAF_URL, part=IpBlocklist)
def enforce_entries(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    seen: dict[tuple[str, str], int] = {}
    for i, e in enumerate(c.enforce):
        given = [k for k in ("nacl", "alb_waf", "cloudfront_waf", "security_group") if getattr(e, k) is not None]
        if len(given) != 1:
            yield Violation(("enforce", i), "give exactly one of nacl, alb_waf and cloudfront_waf" + (f", got {', '.join(given)}" if given else ""))
            continue
        kind = given[0]
        target = {
            "nacl": lambda x: x.network_acl_id,
            "alb_waf": lambda x: x.load_balancer_arn,
            "cloudfront_waf": lambda x: x.component or x.distribution_id or "",
            "security_group": lambda x: x.security_group_id,
        }[kind](getattr(e, kind))
        if (kind, target) in seen:
            yield Violation(("enforce", i, kind), f"{target} is already enforced at enforce[{seen[(kind, target)]}]")
        seen.setdefault((kind, target), i)


@rule("AG505", "a network ACL has room for the blocklist within its rule quota (else: use WAF)", NACL_QUOTA_URL, part=IpBlocklist)
def nacl_fits_quota(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    """A network ACL holds 20 rules per direction and address family by default (40 at most),
    the default deny rule included. A longer list belongs in AWS WAF: 10,000 addresses an IP set."""
    lists = families(c)
    for i, n in c.entries("nacl"):
        if not NACL_RULES_QUOTA.contains(n.rules_quota) or n.other_rules < 0:
            continue  # AG506
        room = nacl_capacity(n)
        for family, cidrs in lists.items():
            if len(cidrs) > room:
                label = "IPv4" if family == "ipv4" else "IPv6"
                yield Violation(
                    ("enforce", i, "nacl"),
                    f"{len(cidrs)} {label} entries, but this network ACL takes {max(room, 0)} more {label} rules per direction "
                    f"(quota {n.rules_quota}, less the default deny and {n.other_rules} existing): block the list with "
                    f"alb_waf or cloudfront_waf instead (an AWS WAF IP set holds 10,000 addresses), or set rules_quota "
                    f"if the account's quota is raised (at most 40)",
                )


@rule("AG506", "network ACL settings: a quota of 20..40 rules, existing rules 0 or more, rule numbers 1..32766", NACL_QUOTA_URL, part=BlocklistNacl)
def nacl_settings(n: BlocklistNacl, ctx: Context) -> Iterator[Violation]:
    yield from NACL_RULES_QUOTA.check(n.rules_quota, ("rules_quota",))
    if n.other_rules < 0:
        yield Violation(("other_rules",), f"must be 0 or more, got {n.other_rules}")
    found = NACL_RULE_NUMBER.violation(n.below_rule, ("below_rule",))
    if found:
        yield found


@rule("AG507", "the deny entries fit, ascending, below the network ACL's allow rule", NACL_RULE_URL, part=IpBlocklist)
def nacl_numbers_fit(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    count = sum(len(v) for v in families(c).values())
    for i, n in c.entries("nacl"):
        if NACL_RULE_NUMBER.contains(n.below_rule) and count >= n.below_rule:
            yield Violation(("enforce", i, "nacl", "below_rule"), f"{count} deny entries need the rule numbers 1..{count}, below rule {n.below_rule}: give a higher below_rule")


@rule("AG508", "a network ACL behind CloudFront or an ALB sees the proxy's addresses, not the client's", CLOUDFRONT_WAF_URL, part=BlocklistNacl, severity="warning")
def nacl_sees_proxy(n: BlocklistNacl, ctx: Context) -> Iterator[Violation]:
    if n.traffic_from == "cloudfront":
        yield Violation(
            ("traffic_from",),
            "behind CloudFront these subnets (such as the ALB's) receive packets from CloudFront's edge addresses, never the "
            "client's: the deny entries cannot match; block the list with cloudfront_waf",
        )
    elif n.traffic_from == "alb":
        yield Violation(
            ("traffic_from",),
            "an Application Load Balancer opens its own connections to its targets: their subnets see the load balancer's "
            "addresses, never the client's; put the network ACL on the ALB's own subnets or use alb_waf",
        )


@rule("AG509", "a Network Load Balancer passes client addresses through: a network ACL on its targets' subnets works", NLB_URL, part=BlocklistNacl, severity="info")
def nacl_behind_nlb(n: BlocklistNacl, ctx: Context) -> Iterator[Violation]:
    if n.traffic_from == "nlb":
        yield Violation(
            ("traffic_from",),
            "a Network Load Balancer preserves client addresses (the default for instance targets, and for IP targets with "
            "client IP preservation on), so these deny entries see the clients; keep that attribute on",
        )


@rule("AG510", "a security group only allows traffic: it cannot block one address", SG_URL, part=BlocklistSecurityGroup, severity="warning")
def security_group_cannot_block(s: BlocklistSecurityGroup, ctx: Context) -> Iterator[Violation]:
    yield Violation(
        (),
        "security group rules only allow traffic, so one cannot deny a single address inside an allowed range; archgen builds "
        "nothing for this entry: use nacl on the subnets, or alb_waf / cloudfront_waf",
    )


@rule("AG511", "an AWS WAF IP set holds at most 10,000 addresses per address family", waf.IP_SET_URL, part=IpBlocklist)
def ip_set_size(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    if not (c.entries("alb_waf") or c.entries("cloudfront_waf")):
        return
    for family, cidrs in families(c).items():
        if len(cidrs) > waf.IP_SET_ADDRESSES.high:
            yield Violation(("blocked",), f"{len(cidrs)} {'IPv4' if family == 'ipv4' else 'IPv6'} entries; an AWS WAF IP set holds {waf.IP_SET_ADDRESSES.high:,}")


@rule("AG513", "managed rule groups are known AWS ones, listed once, within the web ACL's 5,000 WCUs", waf.MANAGED_URL, part=IpBlocklist)
def managed_rules_valid(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    yield from waf.managed_rules_problems(c.managed_rules, ("managed_rules",))


@rule("AG514", "the managed rules keep AWSManagedRulesKnownBadInputsRuleSet (Log4j and known exploit inputs)", waf.MANAGED_URL, part=IpBlocklist, severity="warning")
def managed_rules_keep_log4j(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    if (c.entries("alb_waf") or c.entries("cloudfront_waf")) and waf.LOG4J_GROUP not in c.managed_rules:
        yield Violation(("managed_rules",), f"{waf.LOG4J_GROUP} is left out: the web ACLs would not block Log4j (CVE-2021-44228) and other known exploit inputs")


@rule("AG515", "cloudfront_waf names an edge-cache component of the blueprint or a distribution id, and a distribution has one web ACL", CLOUDFRONT_WAF_URL, part=IpBlocklist)
def cloudfront_target_valid(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    for i, cf in c.entries("cloudfront_waf"):
        where = ("enforce", i, "cloudfront_waf")
        if (cf.component is None) == (cf.distribution_id is None):
            yield Violation(where, "give exactly one of component (an edge-cache component of this blueprint) and distribution_id")
            continue
        if cf.distribution_id is not None:
            if not DISTRIBUTION_ID.match(cf.distribution_id):
                yield Violation(where + ("distribution_id",), f"a CloudFront distribution id looks like E2QWRUHAPOMQZL, got {shown(cf.distribution_id)}")
            continue
        target = next((x for x in ctx.components if x.name == cf.component), None)
        if target is None:
            names = [x.name for x in ctx.components if x.pattern == EDGE_PATTERN]
            yield Violation(where + ("component",), f"no valid component {cf.component!r} in this blueprint" + (f" (edge-cache components: {', '.join(names)})" if names else ""))
        elif target.pattern != EDGE_PATTERN:
            yield Violation(where + ("component",), f"{cf.component!r} is a {target.pattern} component: a CLOUDFRONT web ACL protects an {EDGE_PATTERN} distribution")
        else:
            order = [x.name for x in ctx.components]
            earlier = [
                other.name for other in ctx.components
                if other.pattern == c.pattern and other.name != c.name and order.index(other.name) < order.index(c.name)
                and any(x.component == cf.component for _, x in other.entries("cloudfront_waf"))
            ]
            if earlier:
                yield Violation(where + ("component",), f"{cf.component!r} is already protected by {earlier[0]!r}: a distribution takes one web ACL")


@rule("AG516", "alb_waf names an Application Load Balancer in the blueprint's Region", ASSOCIATION_URL, part=BlocklistAlbWaf)
def alb_arn_valid(a: BlocklistAlbWaf, ctx: Context) -> Iterator[Violation]:
    match = LB_ARN.match(a.load_balancer_arn)
    where = ("load_balancer_arn",)
    if not match:
        yield Violation(where, f"an ALB ARN is arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID, got {shown(a.load_balancer_arn)}")
    elif match.group("kind") != "app":
        yield Violation(where, "AWS WAF protects Application Load Balancers only; a Network Load Balancer passes client addresses through, so block them with nacl on its targets' subnets")
    elif match.group("region") != ctx.region:
        yield Violation(where, f"the load balancer is in {match.group('region')}; a REGIONAL web ACL and what it protects share the blueprint's Region ({ctx.region})")


@rule("AG517", "a network ACL id is acl- and 8 or 17 hexadecimal digits", NACL_URL, part=BlocklistNacl)
def nacl_id_valid(n: BlocklistNacl, ctx: Context) -> Iterator[Violation]:
    if not NETWORK_ACL_ID.match(n.network_acl_id):
        yield Violation(("network_acl_id",), f"a network ACL id is acl-0123456789abcdef0, got {shown(n.network_acl_id)}")


@rule("AG518", "a rate limit needs a web ACL that sees client addresses: not on an ALB behind CloudFront, not without WAF", waf.RATE_URL, part=IpBlocklist, severity="warning")
def rate_limit_where_it_counts(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    """Behind CloudFront the ALB sees CloudFront's addresses, and the first X-Forwarded-For address
    (what a rate-based rule reads) is the client's to forge: the regional web ACL gets no rate rule.
    A network ACL cannot count requests at all."""
    if c.rate_limit is None:
        return
    if not (c.entries("alb_waf") or c.entries("cloudfront_waf")):
        yield Violation(("rate_limit",), "a rate limit is a WAF rule and this blocklist has no alb_waf or cloudfront_waf: nothing would count requests")
    elif any(a.behind_cloudfront for _, a in c.entries("alb_waf")):
        yield Violation(
            ("rate_limit",),
            "an ALB behind CloudFront would count CloudFront's addresses (or an X-Forwarded-For value the client writes): "
            "the ALB's web ACL gets no rate-based rule" + ("; the CloudFront web ACL has it" if c.entries("cloudfront_waf") else "; add cloudfront_waf to rate-limit at the edge"),
        )


@rule("AG519", "WAF log retention is a value CloudWatch Logs accepts", RETENTION_URL, part=IpBlocklist)
def log_retention_valid(c: IpBlocklist, ctx: Context) -> Iterator[Violation]:
    yield from check_log_retention(c.log_retention, ("log_retention",))


# --- build -------------------------------------------------------------------------------------


def regional_acl_name(base: str) -> str:
    return f"{base}-alb"


def cloudfront_acl_name(base: str, region: str) -> str:
    """CLOUDFRONT-scope resources live in us-east-1 whatever the blueprint's Region: the Region
    in the name keeps two deployments of a blueprint apart."""
    return f"{base}-cloudfront-{region}"


def build(c: IpBlocklist, ctx: BuildContext) -> Module:
    base = ctx.name(c.name)
    lists = families(c)
    present = [f for f, cidrs in lists.items() if cidrs]
    inputs: dict = {"blocked_cidrs": {f: cidrs for f, cidrs in lists.items() if cidrs}}
    names: list = []
    inventory: list[str] = []
    notes: list[str] = []
    diagram: list[Edge] = []
    outputs: list[tuple[str, str]] = []
    attach: dict[str, dict] = {}
    counts = ", ".join(f"{len(lists[f])} {'IPv4' if f == 'ipv4' else 'IPv6'}" for f in present)
    clients = Node("Blocked clients: " + counts)

    nacls = {}
    total = sum(len(v) for v in lists.values())
    for i, n in c.entries("nacl"):
        first, step = nacl_numbers(n, total)
        entry: dict = {"network_acl_id": n.network_acl_id}
        if n.egress:
            entry["egress"] = True
        entry.update(first_rule_number=first, rule_number_step=step)
        nacls[n.network_acl_id] = entry
        last = first + step * (total - 1)
        inventory.append(
            f"network ACL `{n.network_acl_id}`: {total} deny entries (all protocols) numbered {first} to {last} by {step}, "
            f"below rule {n.below_rule}, inbound{' and outbound' if n.egress else ''}"
        )
        diagram.append(Edge(clients, Node(f"Network ACL {n.network_acl_id}"), "denied", dotted=True))
    if nacls:
        inputs["network_acls"] = nacls
        outputs.append(("network_acl_rule_numbers", "rule numbers of the deny entries, by network ACL, direction and CIDR block"))

    albs = [a for _, a in c.entries("alb_waf")]
    if albs:
        forwarded = any(a.behind_cloudfront for a in albs)
        name = regional_acl_name(base)
        inputs["regional_web_acl"] = waf.web_acl_inputs(name, present, f"Blocks the addresses of the blueprint {ctx.blueprint_name}, component {c.name}", forwarded)
        inputs["load_balancer_arns"] = [a.load_balancer_arn for a in albs]
        names += waf.names(name, present, ("enforce",))
        rate = "" if c.rate_limit is None or forwarded else f", a rate limit of {c.rate_limit.limit} requests per {human_duration(c.rate_limit.window)} and address"
        inventory.append(
            f"WAF web ACL `{name}` (REGIONAL, {ctx.region}) on {len(albs)} Application Load Balancer(s): IP sets `{name}-ipv4`/`-ipv6` "
            f"blocked first{' (source address or the last X-Forwarded-For address)' if forwarded else ''}{rate}, "
            f"managed rules {', '.join(c.managed_rules) or 'none'}; logs in `{waf.log_group_name(name)}`"
        )
        for a in albs:
            diagram.append(Edge(clients, Node(f"WAF {name} on ALB {a.load_balancer_arn.rsplit('/', 2)[-2]}"), "blocked", dotted=True))
        outputs += [
            ("regional_web_acl_arn", "ARN of the REGIONAL web ACL on the load balancers"),
            ("regional_log_group_name", "log group of the REGIONAL web ACL's logs"),
        ]

    cloudfront = [cf for _, cf in c.entries("cloudfront_waf")]
    aliases: dict[str, str] = {}
    if cloudfront:
        name = cloudfront_acl_name(base, ctx.region)
        aliases = {"us_east_1": "us-east-1"}
        inputs["cloudfront_web_acl"] = waf.web_acl_inputs(name, present, f"Blocks the addresses of the blueprint {ctx.blueprint_name}, component {c.name}, at CloudFront")
        names += waf.names(name, present, ("enforce",))
        rate = "" if c.rate_limit is None else f", a rate limit of {c.rate_limit.limit} requests per {human_duration(c.rate_limit.window)} and address"
        inventory.append(
            f"WAF web ACL `{name}` (CLOUDFRONT scope, created in us-east-1 through the provider alias aws.us_east_1): IP sets "
            f"blocked first{rate}, managed rules {', '.join(c.managed_rules) or 'none'}; logs in `{waf.log_group_name(name)}` (us-east-1)"
        )
        reference = hcl.HCL(f"module.{hcl.ident(c.name)}.cloudfront_web_acl_arn")
        waf_node = Node(f"WAF {name} (us-east-1)")
        diagram.append(Edge(clients, waf_node, "blocked", dotted=True))
        for cf in cloudfront:
            if cf.component is not None:
                # an edge-cache component draws its distribution as "CloudFront <name>": the same box
                attach[cf.component] = {"web_acl_arn": reference}
                inventory.append(f"the CLOUDFRONT web ACL protects the distribution of `{cf.component}` (its web_acl_id)")
                diagram.append(Edge(waf_node, Node(f"CloudFront {cf.component}"), "web_acl_id"))
            else:
                diagram.append(Edge(waf_node, Node(f"CloudFront {cf.distribution_id}"), "web_acl_id (by hand)", dotted=True))
                notes.append(
                    f"Attach the web ACL to the existing distribution `{cf.distribution_id}`: set its `web_acl_id` to the output "
                    f"`{c.name.replace('-', '_')}_cloudfront_web_acl_arn` (in Terraform, or `aws cloudfront update-distribution` "
                    f"with `WebACLId`); AWS WAF has no association call for CloudFront."
                )
        outputs += [
            ("cloudfront_web_acl_arn", "ARN of the CLOUDFRONT web ACL (us-east-1), the value of a distribution's web_acl_id"),
            ("cloudfront_log_group_name", "log group (us-east-1) of the CLOUDFRONT web ACL's logs"),
        ]

    for i, e in enumerate(c.enforce):
        if e.security_group is not None:
            notes.append(f"enforce[{i}] (security group `{e.security_group.security_group_id}`) builds nothing: a security group only allows traffic.")

    if albs or cloudfront:
        if c.rate_limit is not None:
            inputs["rate_limit"] = waf.rate_limit_inputs(c.rate_limit)
        if list(c.managed_rules) != list(waf.DEFAULT_MANAGED_RULES):
            inputs["managed_rule_groups"] = list(c.managed_rules)
        if c.log_retention // 86400 != waf.DEFAULT_LOG_RETENTION_DAYS:
            inputs["log_retention_in_days"] = c.log_retention // 86400
    return Module(
        inputs=inputs,
        names=names,
        outputs=outputs,
        inventory=inventory,
        diagram=diagram,
        provider_aliases=aliases,
        context={"nacl": bool(nacls), "regional": bool(albs), "cloudfront": bool(cloudfront)},
        attach=attach,
        notes=notes,
    )


PATTERN = Pattern(
    name="ip-blocklist",
    summary="deny listed addresses where they can be seen: network ACL entries, WAF on ALBs, WAF on CloudFront (us-east-1)",
    model=IpBlocklist,
    build=build,
)

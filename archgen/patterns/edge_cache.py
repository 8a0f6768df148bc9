"""edge-cache: caching layers in front of an application: a CloudFront distribution before an
ALB, an API Gateway REST API or an S3 bucket (origin access control), an optional API Gateway
stage cache, and an optional ElastiCache (Valkey or Redis OSS) replication group.

CloudFront is global: its policies, origin access control, access logs (CloudWatch Logs
delivery) and the distribution's alarm live in us-east-1, reached through the provider alias
`aws.us_east_1`; their names carry the blueprint's Region so that two deployments of one
blueprint stay apart. An `ip-blocklist` component of the same blueprint may attach a
CLOUDFRONT web ACL through `var.web_acl_arn` (Module.attach); nothing flows back from here.

ElastiCache clients authenticate with IAM (RBAC users with authentication mode iam): the
auth token is a short-lived SigV4 token a client signs with its own credentials, so no
long-lived secret exists in the blueprint, in Terraform state or in Secrets Manager.
"""

from __future__ import annotations

import re
from typing import Iterator, Literal, Union

from ..modeling import Field, field_validator

from ..blocks.function import RETENTION_URL, check_log_retention
from ..findings import shown
from ..model import ComponentBase, Duration, Int, Strict
from ..names import ALARM, LOG_GROUP, SECURITY_GROUP, AwsName, namespace
from ..rules import Context, Violation, default, limit, rule
from ..units import human_duration
from . import BuildContext, Edge, Module, Node, Pattern

CF_DEV = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide"
CACHE_POLICY_URL = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html"
CF_QUOTAS_URL = f"{CF_DEV}/cloudfront-limits.html#limits-policies"
ALIASES_URL = f"{CF_DEV}/CNAMEs.html"
CERT_URL = f"{CF_DEV}/cnames-and-https-requirements.html"
TLS_URL = f"{CF_DEV}/secure-connections-supported-viewer-protocols-ciphers.html"
ORIGIN_URL = f"{CF_DEV}/DownloadDistS3AndCustomOrigins.html"
ORIGIN_CERT_URL = f"{CF_DEV}/using-https-cloudfront-to-custom-origin.html"
OAC_URL = f"{CF_DEV}/private-content-restricting-access-to-s3.html"
CACHE_KEY_URL = f"{CF_DEV}/understanding-the-cache-key.html"
METRICS_URL = f"{CF_DEV}/programming-cloudwatch-metrics.html"
API_CACHE_URL = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"
API_STAGE_URL = "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html"
EC_IAM_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html"
EC_RG_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html"
EC_FAILOVER_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html"
EC_NODES_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html"
EC_BACKUP_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html"

CACHE_POLICY = namespace("cloudfront-cache-policy", "CloudFront cache policy", 128, CACHE_POLICY_URL)
ORIGIN_REQUEST_POLICY = namespace("cloudfront-origin-request-policy", "CloudFront origin request policy", 128, "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginRequestPolicyConfig.html")
RESPONSE_HEADERS_POLICY = namespace("cloudfront-response-headers-policy", "CloudFront response headers policy", 128, "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html")
ORIGIN_ACCESS_CONTROL = namespace("cloudfront-origin-access-control", "CloudFront origin access control", 64, "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html")
LOG_DELIVERY = namespace("logs-delivery", "CloudWatch Logs delivery source or destination", 60, "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html")
REPLICATION_GROUP = namespace("elasticache-replication-group", "ElastiCache replication group", 40, EC_RG_URL)
SUBNET_GROUP = namespace("elasticache-subnet-group", "ElastiCache subnet group", 255, "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html")

# CachePolicyConfig: MinTTL <= DefaultTTL <= MaxTTL (archgen keeps MinTTL at 0 so that an origin's
# Cache-Control: no-store / private is honoured)
TTL = limit("cdn_ttl", 0, None, "seconds", CACHE_POLICY_URL)
# Quotas, cache policies: 10 query strings, 10 headers, 10 cookies per cache policy
CACHE_KEY_ITEMS = limit("cdn_cache_key_items", 0, 10, "names", CF_QUOTAS_URL)
# Quotas, distributions: 100 alternate domain names (CNAMEs) per distribution
ALIASES = limit("cdn_aliases", 0, 100, "aliases", "https://docs.aws.amazon.com/general/latest/gr/cf_region.html")
# "The default TTL value for API caching is 300 seconds. The maximum TTL value is 3600 seconds."
API_CACHE_TTL = limit("api_cache_ttl", 0, 3600, "seconds", API_CACHE_URL)
API_CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")  # GB, CreateStage cacheClusterSize
# a replication group of one primary and 0..5 replicas (cluster mode disabled); failover needs one
REPLICAS = limit("data_cache_replicas", 1, 5, "replicas", EC_FAILOVER_URL)
SNAPSHOT_RETENTION = limit("data_cache_snapshot_retention", 0, 35, "days", EC_BACKUP_URL)
CACHE_PORT = limit("data_cache_port", 1024, 65535, "", EC_RG_URL)

DEFAULT_ORIGIN_TTL = {"alb": 0, "api": 0, "s3": 86400}
DEFAULT_MAX_TTL = default("cdn_max_ttl", 31536000)
DEFAULT_LOG_RETENTION_DAYS = default("cdn_log_retention_days", 365)
DEFAULT_API_CACHE_TTL = default("api_cache_ttl", 300)
DEFAULT_ENGINE_VERSION = {"valkey": "8.0", "redis": "7.1"}
DEFAULT_NODE_TYPE = default("data_cache_node_type", "cache.t4g.small")
DEFAULT_SNAPSHOT_RETENTION = default("data_cache_snapshot_retention", 7)
DEFAULT_PORT = default("data_cache_port", 6379)
MINIMUM_TLS = "TLSv1.2_2021"
PRICE_CLASSES = ("PriceClass_All", "PriceClass_200", "PriceClass_100")

HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+\Z")
ALIAS = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+\Z")
ELB_HOST = re.compile(r"\.elb\.amazonaws\.com$")
API_HOST = re.compile(r"^(?P<id>[a-z0-9]{10})\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com\Z")
S3_REST_HOST = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3(\.(?P<region>[a-z0-9-]+))?\.amazonaws\.com\Z")
S3_WEBSITE_HOST = re.compile(r"\.s3-website[.-]")
ORIGIN_PATH = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+\Z")
CERT_ARN = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[0-9a-f-]{36}\Z")
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:(?P<region>[a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}\Z")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):\d{12}:key/[A-Za-z0-9-]+\Z")
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}\Z")
QUERY_OR_COOKIE = re.compile(r"^[^\s;,=]{1,256}\Z")
REST_API_ID = re.compile(r"^[a-z0-9]{10}\Z")
STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}\Z")
VPC_ID = re.compile(r"^vpc-([0-9a-f]{8}|[0-9a-f]{17})\Z")
SUBNET_ID = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})\Z")
SG_ID = re.compile(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})\Z")
NODE_TYPE = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+\Z")
ENGINE_VERSION = re.compile(r"^(?P<major>\d+)\.(?P<minor>\d+)\Z")
REPLICATION_GROUP_ID = re.compile(r"^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]\Z")


class EdgeOrigin(Strict):
    """Where CloudFront fetches from."""

    kind: Literal["alb", "api", "s3"] = Field(description="alb (Application Load Balancer), api (API Gateway REST API) or s3 (a bucket, through origin access control)")
    domain: str = Field(description="the origin's DNS name: the ALB's (or a name of yours for it), <api-id>.execute-api.<region>.amazonaws.com, or <bucket>.s3.<region>.amazonaws.com")
    path: str | None = Field(None, description="a path CloudFront puts before every request, e.g. /prod for an API stage")


class EdgeCacheKey(Strict):
    """What tells cached responses apart (and is forwarded to the origin)."""

    headers: list[str] = Field(default_factory=list, description="request headers in the cache key (at most 10)")
    query_strings: Union[Literal["all", "none"], list[str]] | None = Field(None, description="all, none or a list of names (default: all for alb and api origins, none for s3)")
    cookies: Union[Literal["all", "none"], list[str]] = Field("none", description="all, none or a list of names (at most 10)")


class EdgeCdn(Strict):
    """The CloudFront distribution."""

    default_ttl: Duration | None = Field(None, description="how long a response without Cache-Control stays cached (default: 0 for alb and api origins, 1d for s3)")
    max_ttl: Duration = Field(DEFAULT_MAX_TTL, description="the longest an origin's Cache-Control may keep a response (default 365d)")
    cache_key: EdgeCacheKey = Field(default_factory=EdgeCacheKey)
    aliases: list[str] = Field(default_factory=list, description="your domain names for the distribution (need certificate_arn)")
    certificate_arn: str | None = Field(None, description="ACM certificate in us-east-1 covering the aliases; viewers then need TLS 1.2 or later")
    certificate_domain: str | None = Field(None, description="the certificate's domain name, as ACM shows it (default: the first alias)")
    price_class: Literal["PriceClass_All", "PriceClass_200", "PriceClass_100"] = "PriceClass_All"
    log_retention: Duration = Field(DEFAULT_LOG_RETENTION_DAYS * 86400, description="access logs (CloudWatch Logs, us-east-1): retention (default 365d)")
    alarm_topic_arn: str | None = Field(None, description="SNS topic in us-east-1 for the distribution's 5xx alarm (CloudFront publishes metrics there only)")


class EdgeApiCache(Strict):
    """The API Gateway stage cache of an api origin (a REST API stage)."""

    size: Union[str, float, int] = Field("0.5", description="cache capacity in GB: 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118 or 237")
    ttl: Duration = Field(DEFAULT_API_CACHE_TTL, description="seconds a response stays cached, 0..3600 (default 300)")
    rest_api_id: str | None = Field(None, description="default: from the origin's execute-api domain")
    stage_name: str | None = Field(None, description="default: from the origin's path (/prod -> prod)")

    @field_validator("size", mode="before")
    @classmethod
    def _size_text(cls, value):
        if isinstance(value, bool):
            raise ValueError("a cache size is a number of GB such as 0.5")
        if isinstance(value, (int, float)):
            return format(value, "g")
        return value

    def size_text(self) -> str:
        return str(self.size)


class EdgeDataCache(Strict):
    """An ElastiCache replication group: a primary and replicas in two or more subnets, IAM authentication."""

    engine: Literal["valkey", "redis"] = "valkey"
    engine_version: str | None = Field(None, description="major.minor, 7.0 or later for IAM authentication (default: valkey 8.0, redis 7.1)")
    node_type: str = Field(DEFAULT_NODE_TYPE, description="e.g. cache.t4g.small, cache.r7g.large")
    replicas: Int = Field(1, description="read replicas, 1..5: automatic failover needs one")
    vpc_id: str = Field(description="the VPC of the cache and its clients")
    subnet_ids: list[str] = Field(min_length=1, description="private subnets in two or more Availability Zones")
    client_security_group_ids: list[str] = Field(default_factory=list, description="security groups of the clients allowed to connect")
    port: Int = Field(DEFAULT_PORT)
    kms_key: str | None = Field(None, description="ARN of a customer managed KMS key for encryption at rest (default: AWS owned key)")
    snapshot_retention: Int = Field(DEFAULT_SNAPSHOT_RETENTION, description="days of automatic snapshots, 0..35 (0: none)")

    def version(self) -> str:
        return self.engine_version or DEFAULT_ENGINE_VERSION[self.engine]


class EdgeCache(ComponentBase):
    pattern: Literal["edge-cache"]
    origin: EdgeOrigin
    cdn: EdgeCdn = Field(default_factory=EdgeCdn)
    api_cache: EdgeApiCache | None = None
    data_cache: EdgeDataCache | None = None

    def default_ttl(self) -> int:
        return DEFAULT_ORIGIN_TTL[self.origin.kind] if self.cdn.default_ttl is None else self.cdn.default_ttl

    def query_strings(self) -> Union[str, list[str]]:
        if self.cdn.cache_key.query_strings is not None:
            return self.cdn.cache_key.query_strings
        return "none" if self.origin.kind == "s3" else "all"

    def forwards_host(self) -> bool:
        """An ALB reached by its elb.amazonaws.com name gets the viewer's Host header, so that it
        answers with a certificate for the aliases (no certificate can name an elb host)."""
        return self.origin.kind == "alb" and bool(ELB_HOST.search(self.origin.domain))

    def api_target(self) -> tuple[str | None, str | None]:
        """(rest_api_id, stage_name) of the api origin, from api_cache or the origin."""
        match = API_HOST.match(self.origin.domain)
        rest_api_id = (self.api_cache.rest_api_id if self.api_cache else None) or (match.group("id") if match else None)
        stage = self.api_cache.stage_name if self.api_cache else None
        if stage is None and self.origin.path:
            stage = self.origin.path.strip("/").split("/")[0]
        return rest_api_id, stage


# --- rules ---------------------------------------------------------------------------------------


@rule("AG520", "the origin's domain fits its kind: an S3 REST endpoint, an execute-api name, an ALB reachable over HTTPS", ORIGIN_URL, part=EdgeCache)
def origin_domain_valid(c: EdgeCache, ctx: Context) -> Iterator[Violation]:
    o = c.origin
    where = ("origin", "domain")
    if not HOSTNAME.match(o.domain):
        yield Violation(where, f"a DNS name in lowercase without scheme or path, such as app.example.com, got {shown(o.domain)}")
        return
    if o.kind == "s3":
        if S3_WEBSITE_HOST.search(o.domain):
            yield Violation(where, "an S3 website endpoint cannot use origin access control: give the bucket's REST endpoint, <bucket>.s3.<region>.amazonaws.com, and keep the bucket private")
        elif not S3_REST_HOST.match(o.domain):
            yield Violation(where, f"an s3 origin is the bucket's REST endpoint, <bucket>.s3.<region>.amazonaws.com, got {shown(o.domain)}")
    elif o.kind == "api":
        match = API_HOST.match(o.domain)
        if match and match.group("region") != ctx.region:
            yield Violation(where, f"the API is in {match.group('region')}, the blueprint in {ctx.region}: the stage cache is set in the blueprint's Region")
    elif o.kind == "alb" and ELB_HOST.search(o.domain) and not c.cdn.aliases:
        yield Violation(
            where,
            "CloudFront reaches the origin over HTTPS and checks its certificate against the origin name or the forwarded Host; "
            "no certificate can name an elb.amazonaws.com host and without cdn.aliases the Host is the cloudfront.net name: "
            "give the ALB a DNS name of yours (its certificate covering it) or set cdn.aliases (the ALB's certificate covering them)",
        )


@rule("AG521", "TTLs: 0 <= default_ttl <= max_ttl, and no cache key when nothing is cached", CACHE_POLICY_URL, part=EdgeCache)
def ttls_ordered(c: EdgeCache, ctx: Context) -> Iterator[Violation]:
    if c.cdn.default_ttl is not None:
        yield from TTL.check(c.cdn.default_ttl, ("cdn", "default_ttl"))
    yield from TTL.check(c.cdn.max_ttl, ("cdn", "max_ttl"))
    if c.default_ttl() > c.cdn.max_ttl:
        yield Violation(("cdn", "default_ttl"), f"{human_duration(c.default_ttl())} is longer than max_ttl ({human_duration(c.cdn.max_ttl)})")
    key = c.cdn.cache_key
    if c.cdn.max_ttl == 0 and (key.headers or c.query_strings() not in ("none", []) or key.cookies not in ("none", [])):
        yield Violation(("cdn", "cache_key"), "with max_ttl 0 nothing is cached, and CloudFront takes no cache key: leave cache_key out (set query_strings: none)")


@rule("AG522", "a cache key names at most 10 headers, 10 query strings and 10 cookies, each a valid name, once", CF_QUOTAS_URL, part=EdgeCacheKey)
def cache_key_valid(k: EdgeCacheKey, ctx: Context) -> Iterator[Violation]:
    checks = [("headers", k.headers, HEADER_NAME), ("query_strings", k.query_strings, QUERY_OR_COOKIE), ("cookies", k.cookies, QUERY_OR_COOKIE)]
    for field, items, pattern in checks:
        if not isinstance(items, list):
            continue
        found = CACHE_KEY_ITEMS.violation(len(items), (field,))
        if found:
            yield Violation((field,), f"{len(items)} {field.replace('_', ' ')}; a cache policy takes at most {CACHE_KEY_ITEMS.high}")
        seen: set[str] = set()
        for i, name in enumerate(items):
            key = name.lower() if field == "headers" else name
            if not pattern.match(name):
                yield Violation((field, i), f"not a valid {field[:-1].replace('_', ' ')} name: {shown(name)}")
            elif key in seen:
                yield Violation((field, i), f"{name} is listed twice")
            seen.add(key)


@rule("AG523", "aliases are DNS names, at most 100, and come with a certificate (and a certificate with aliases)", ALIASES_URL, part=EdgeCdn)
def aliases_valid(cdn: EdgeCdn, ctx: Context) -> Iterator[Violation]:
    found = ALIASES.violation(len(cdn.aliases), ("aliases",))
    if found:
        yield Violation(("aliases",), f"{len(cdn.aliases)} aliases; a distribution takes {ALIASES.high}")
    seen: set[str] = set()
    for i, alias in enumerate(cdn.aliases):
        if not ALIAS.match(alias):
            yield Violation(("aliases", i), f"an alias is a lowercase DNS name such as www.example.com (or *.example.com), got {shown(alias)}")
        elif alias in seen:
            yield Violation(("aliases", i), f"{alias} is listed twice")
        seen.add(alias)
    if cdn.aliases and cdn.certificate_arn is None:
        yield Violation(("aliases",), "CloudFront serves aliases only with a certificate covering them: give certificate_arn (ACM, us-east-1)")
    if cdn.certificate_arn is not None and not cdn.aliases:
        yield Violation(("certificate_arn",), "a certificate is for the aliases: list them in aliases, or leave certificate_arn out")


@rule("AG524", "certificate_arn is an ACM certificate in us-east-1", CERT_URL, part=EdgeCdn)
def certificate_in_us_east_1(cdn: EdgeCdn, ctx: Context) -> Iterator[Violation]:
    if cdn.certificate_arn is None:
        return
    match = CERT_ARN.match(cdn.certificate_arn)
    if not match:
        yield Violation(("certificate_arn",), f"an ACM certificate ARN is arn:aws:acm:us-east-1:ACCOUNT:certificate/ID, got {shown(cdn.certificate_arn)}")
    elif match.group("region") != "us-east-1":
        yield Violation(("certificate_arn",), f"the certificate is in {match.group('region')}: CloudFront uses ACM certificates from us-east-1 only; request or import it there")
    if cdn.certificate_domain is not None and not ALIAS.match(cdn.certificate_domain):
        yield Violation(("certificate_domain",), f"the certificate's domain name, such as www.example.com or *.example.com, got {shown(cdn.certificate_domain)}")


@rule("AG525", "without a certificate the default CloudFront certificate cannot hold viewers to TLS 1.2", TLS_URL, part=EdgeCdn, severity="warning")
def default_certificate_tls(cdn: EdgeCdn, ctx: Context) -> Iterator[Violation]:
    """With the *.cloudfront.net certificate CloudFront sets the minimum protocol to TLSv1, whatever
    the distribution says; only a certificate of yours (with SNI) takes TLSv1.2_2021."""
    if cdn.certificate_arn is None:
        yield Violation(
            ("aliases",),
            f"with the default *.cloudfront.net certificate CloudFront accepts TLS 1.0 and 1.1 too: give aliases and certificate_arn "
            f"(us-east-1) to hold viewers to {MINIMUM_TLS}",
        )


@rule("AG526", "an application origin's responses without Cache-Control are cached only if default_ttl says so, for every viewer", CACHE_KEY_URL, part=EdgeCache, severity="warning")
def dynamic_default_ttl(c: EdgeCache, ctx: Context) -> Iterator[Violation]:
    """Cookies and most headers reach an alb or api origin without being in the cache key: a
    personal response cached by default_ttl would be served to other viewers."""
    if c.origin.kind != "s3" and c.default_ttl() > 0 and c.cdn.cache_key.cookies != "all":
        yield Violation(
            ("cdn", "default_ttl"),
            f"responses without Cache-Control are kept {human_duration(c.default_ttl())} and served to every viewer with the same cache key, "
            "though cookies and headers reach the origin outside it: leave default_ttl at 0 and let the application send Cache-Control",
        )


@rule("AG527", "api_cache is for an api origin, with a REST API id, a stage and a size API Gateway offers", API_STAGE_URL, part=EdgeCache)
def api_cache_valid(c: EdgeCache, ctx: Context) -> Iterator[Violation]:
    if c.api_cache is None:
        return
    if c.origin.kind != "api":
        yield Violation(("api_cache",), f"a stage cache belongs to an API Gateway origin; this origin is {c.origin.kind}")
        return
    if c.api_cache.size_text() not in API_CACHE_SIZES:
        yield Violation(("api_cache", "size"), f"API Gateway cache sizes are {', '.join(API_CACHE_SIZES)} GB, got {shown(c.api_cache.size)}")
    rest_api_id, stage = c.api_target()
    if rest_api_id is None:
        yield Violation(("api_cache",), "give rest_api_id: the origin is not an execute-api name it could come from")
    elif not REST_API_ID.match(rest_api_id):
        yield Violation(("api_cache", "rest_api_id"), f"a REST API id is 10 lowercase letters and digits, got {shown(rest_api_id)}")
    if stage is None:
        yield Violation(("api_cache",), "give stage_name, or origin.path (/STAGE) it can come from")
    elif not STAGE_NAME.match(stage):
        yield Violation(("api_cache", "stage_name"), f"a stage name holds letters, digits, - and _, got {shown(stage)}")


@rule("AG528", "an API Gateway cache TTL is 0..3600 seconds", API_CACHE_URL, part=EdgeApiCache)
def api_cache_ttl(a: EdgeApiCache, ctx: Context) -> Iterator[Violation]:
    yield from API_CACHE_TTL.check(a.ttl, ("ttl",))


@rule("AG529", "the data cache's engine supports IAM authentication: Valkey or Redis OSS 7.0 or later", EC_IAM_URL, part=EdgeDataCache)
def data_cache_engine(d: EdgeDataCache, ctx: Context) -> Iterator[Violation]:
    match = ENGINE_VERSION.match(d.version())
    if not match:
        yield Violation(("engine_version",), f"an engine version is major.minor, such as 7.2 or 8.0, got {shown(d.version())}")
    elif int(match.group("major")) < 7:
        yield Violation(("engine_version",), f"{d.engine} {d.version()}: IAM authentication needs version 7.0 or later (archgen keeps no long-lived auth token)")
    if not NODE_TYPE.match(d.node_type):
        yield Violation(("node_type",), f"a node type is cache.FAMILY.SIZE, such as cache.t4g.small, got {shown(d.node_type)}")


@rule("AG530", "the data cache has 1..5 replicas (automatic failover) across two or more subnets", EC_FAILOVER_URL, part=EdgeDataCache)
def data_cache_failover(d: EdgeDataCache, ctx: Context) -> Iterator[Violation]:
    yield from REPLICAS.check(d.replicas, ("replicas",))
    if len(set(d.subnet_ids)) < 2:
        yield Violation(("subnet_ids",), "give subnets in two or more Availability Zones: a replica in another zone is what a failover promotes")


@rule("AG531", "the data cache names a VPC, subnets and client security groups by their ids", EC_RG_URL, part=EdgeDataCache)
def data_cache_ids(d: EdgeDataCache, ctx: Context) -> Iterator[Violation]:
    if not VPC_ID.match(d.vpc_id):
        yield Violation(("vpc_id",), f"a VPC id is vpc-0123456789abcdef0, got {shown(d.vpc_id)}")
    for i, subnet in enumerate(d.subnet_ids):
        if not SUBNET_ID.match(subnet):
            yield Violation(("subnet_ids", i), f"a subnet id is subnet-0123456789abcdef0, got {shown(subnet)}")
    for i, sg in enumerate(d.client_security_group_ids):
        if not SG_ID.match(sg):
            yield Violation(("client_security_group_ids", i), f"a security group id is sg-0123456789abcdef0, got {shown(sg)}")
    if not d.client_security_group_ids:
        yield Violation(("client_security_group_ids",), "name the security groups of the clients: nothing else may connect")


@rule("AG532", "data cache settings: port 1024..65535, snapshots kept 0..35 days, kms_key a key ARN in the blueprint's Region", EC_RG_URL, part=EdgeDataCache)
def data_cache_settings(d: EdgeDataCache, ctx: Context) -> Iterator[Violation]:
    yield from CACHE_PORT.check(d.port, ("port",))
    yield from SNAPSHOT_RETENTION.check(d.snapshot_retention, ("snapshot_retention",))
    if d.kms_key is not None:
        match = KMS_KEY_ARN.match(d.kms_key)
        if not match:
            yield Violation(("kms_key",), f"must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got {shown(d.kms_key)}")
        elif match.group("region") != ctx.region:
            yield Violation(("kms_key",), f"the key is in {match.group('region')}; ElastiCache uses a key in its own Region ({ctx.region})")


@rule("AG533", "the replication group id (the component's full name) has no double hyphen and no hyphen at its end", EC_RG_URL, part=EdgeCache)
def replication_group_id(c: EdgeCache, ctx: Context) -> Iterator[Violation]:
    if c.data_cache is None:
        return
    name = f"{ctx.blueprint_name}-{c.name}"
    if not REPLICATION_GROUP_ID.match(name):
        yield Violation(("name",), f"the replication group id {name!r} may not hold two hyphens in a row nor end with one")


@rule("AG534", "alarm_topic_arn is an SNS topic in us-east-1, where CloudFront's metrics and the distribution's alarm are", METRICS_URL, part=EdgeCdn)
def alarm_topic_in_us_east_1(cdn: EdgeCdn, ctx: Context) -> Iterator[Violation]:
    if cdn.alarm_topic_arn is None:
        return
    match = TOPIC_ARN.match(cdn.alarm_topic_arn)
    if not match:
        yield Violation(("alarm_topic_arn",), f"an SNS topic ARN is arn:aws:sns:us-east-1:ACCOUNT:NAME, got {shown(cdn.alarm_topic_arn)}")
    elif match.group("region") != "us-east-1":
        yield Violation(("alarm_topic_arn",), f"the topic is in {match.group('region')}: an alarm notifies topics of its own Region, and CloudFront's alarm is in us-east-1")


@rule("AG535", "access log retention is a value CloudWatch Logs accepts", RETENTION_URL, part=EdgeCdn)
def access_log_retention(cdn: EdgeCdn, ctx: Context) -> Iterator[Violation]:
    yield from check_log_retention(cdn.log_retention, ("log_retention",))


@rule("AG536", "origin.path starts with / and does not end with one", ORIGIN_URL, part=EdgeOrigin)
def origin_path_valid(o: EdgeOrigin, ctx: Context) -> Iterator[Violation]:
    if o.path is not None and not ORIGIN_PATH.match(o.path):
        yield Violation(("path",), f"an origin path is /NAME[/NAME...], without a slash at the end, got {shown(o.path)}")


# --- names and build ------------------------------------------------------------------------------


def global_name(base: str, region: str) -> str:
    """CloudFront resources are global (and its logs, alarm and web ACL live in us-east-1): the
    blueprint's Region in the name keeps two deployments of a blueprint apart."""
    return f"{base}-{region}"


def access_log_group(base: str, region: str) -> str:
    """Vended logs go to log groups under /aws/vendedlogs/, which share one resource policy."""
    return f"/aws/vendedlogs/cloudfront/{global_name(base, region)}"


def _cache_key_inputs(c: EdgeCache) -> dict:
    data: dict = {"default_ttl": c.default_ttl(), "max_ttl": c.cdn.max_ttl}
    key = c.cdn.cache_key
    if key.headers:
        data["headers"] = list(key.headers)
    for field, value in (("query_string", c.query_strings()), ("cookie", key.cookies)):
        if isinstance(value, list):
            data[f"{field}_behavior"] = "whitelist" if value else "none"
            if value:
                data[f"{field}s"] = list(value)
        elif value != "none":
            data[f"{field}_behavior"] = value
    return data


def _alarm_actions(c: EdgeCache, ctx: BuildContext) -> tuple[object, str]:
    """Actions for the distribution's alarm (us-east-1), and a README line on where it notifies."""
    if c.cdn.alarm_topic_arn is not None:
        return [c.cdn.alarm_topic_arn], f"notifies `{c.cdn.alarm_topic_arn}`"
    if ctx.region == "us-east-1" and ctx.alarm_actions is not None:
        return ctx.alarm_actions, "notifies the blueprint's alarm topic"
    if isinstance(ctx.alarm_actions, list) and all(":sns:us-east-1:" in a for a in ctx.alarm_actions):
        return ctx.alarm_actions, "notifies the blueprint's alarm topic"
    return None, (
        "notifies no one: CloudFront publishes metrics in us-east-1 only and an alarm notifies topics of its own Region; "
        "give cdn.alarm_topic_arn (an SNS topic in us-east-1)"
    )


def build(c: EdgeCache, ctx: BuildContext) -> Module:
    base = ctx.name(c.name)
    gname = global_name(base, ctx.region)
    path = ("name",)
    names: list[AwsName] = [
        AwsName(CACHE_POLICY, gname, path),
        AwsName(ORIGIN_REQUEST_POLICY, gname, path),
        AwsName(RESPONSE_HEADERS_POLICY, gname, path),
        AwsName(LOG_GROUP, access_log_group(base, ctx.region), path),
        AwsName(LOG_DELIVERY, gname, path),
        AwsName(ALARM, f"{gname}-cloudfront-5xx", path),
    ]
    origin: dict = {"kind": c.origin.kind, "domain_name": c.origin.domain}
    if c.origin.path:
        origin["origin_path"] = c.origin.path
    if c.forwards_host():
        origin["forward_host_header"] = True
    distribution: dict = {"comment": f"{ctx.blueprint_name} {c.name}"}
    if c.cdn.aliases:
        distribution["aliases"] = list(c.cdn.aliases)
    if c.cdn.certificate_arn:
        distribution["certificate_arn"] = c.cdn.certificate_arn
        distribution["certificate_domain"] = c.cdn.certificate_domain or c.cdn.aliases[0]
    if c.cdn.price_class != "PriceClass_All":
        distribution["price_class"] = c.cdn.price_class
    resource_names = {
        "policies": gname,
        "access_log_group": access_log_group(base, ctx.region),
        "log_delivery": gname,
        "alarm": f"{gname}-cloudfront-5xx",
    }
    if c.origin.kind == "s3":
        names.append(AwsName(ORIGIN_ACCESS_CONTROL, gname, ("origin",)))
        resource_names["origin_access_control"] = gname
        origin["bucket"] = S3_REST_HOST.match(c.origin.domain).group("bucket")
        distribution["default_root_object"] = "index.html"
    inputs: dict = {"names": resource_names, "origin": origin, "distribution": distribution, "cache_policy": _cache_key_inputs(c)}
    if c.cdn.log_retention // 86400 != DEFAULT_LOG_RETENTION_DAYS:
        inputs["access_log_retention_in_days"] = c.cdn.log_retention // 86400
    actions, alarm_line = _alarm_actions(c, ctx)
    if actions is not None:
        inputs["distribution_alarm_actions"] = actions

    tls = f"viewers held to {MINIMUM_TLS} (SNI) with `{c.cdn.certificate_arn}`" if c.cdn.certificate_arn else "the default *.cloudfront.net certificate (cannot enforce TLS 1.2)"
    key = c.cdn.cache_key
    key_text = "; ".join(
        f"{what}: {', '.join(v) if isinstance(v, list) else v}"
        for what, v in (("headers", key.headers or "none"), ("query strings", c.query_strings() or "none"), ("cookies", key.cookies or "none"))
    )
    inventory = [
        f"CloudFront distribution for the {c.origin.kind} origin `{c.origin.domain}{c.origin.path or ''}`"
        + (f", aliases {', '.join(c.cdn.aliases)}" if c.cdn.aliases else "")
        + f": HTTPS only (HTTP redirects), {tls}, HTTP/2 and 3, IPv6",
        f"cache policy `{gname}`: default TTL {human_duration(c.default_ttl())}, max TTL {human_duration(c.cdn.max_ttl)}, min 0; cache key {key_text}",
        f"origin request policy `{gname}` ({'viewer headers with Host' if c.forwards_host() else 'CORS headers only' if c.origin.kind == 's3' else 'viewer headers but Host'}, "
        f"{'no cookies or query strings' if c.origin.kind == 's3' else 'cookies and query strings'}); response headers policy `{gname}` "
        "(HSTS 1 year with subdomains and preload, nosniff, frame DENY, strict-origin-when-cross-origin)",
        f"access logs to `{access_log_group(base, ctx.region)}` (CloudWatch Logs, us-east-1); a 5xx error-rate alarm `{gname}-cloudfront-5xx` that {alarm_line}",
    ]
    notes: list[str] = []
    viewer = Node("Viewers")
    cdn_node = Node(f"CloudFront {c.name}")
    origin_node = Node(f"{ {'alb': 'ALB', 'api': 'API Gateway', 's3': 'S3'}[c.origin.kind]} {c.origin.domain}", "store" if c.origin.kind == "s3" else "box")
    diagram = [Edge(viewer, cdn_node, "HTTPS"), Edge(cdn_node, origin_node, "HTTPS" + (", OAC" if c.origin.kind == "s3" else ""))]
    outputs = [
        ("distribution_id", "id of the CloudFront distribution"),
        ("distribution_domain_name", "domain name of the distribution (point the aliases' DNS records at it)"),
        ("distribution_hosted_zone_id", "Route 53 hosted zone id for alias records to the distribution"),
    ]
    providers_aliases = {"us_east_1": "us-east-1"}
    if c.origin.kind == "s3":
        outputs.append(("origin_bucket_policy_json", "bucket policy statement that lets the distribution read the origin bucket"))
        notes.append(
            f"The origin bucket must let this distribution read it: add the statement of the output "
            f"`{c.name.replace('-', '_')}_origin_bucket_policy_json` to its bucket policy (archgen does not own the bucket); "
            "with SSE-KMS, the key policy must also let cloudfront.amazonaws.com decrypt, on the same AWS:SourceArn condition."
        )
    if c.forwards_host():
        notes.append("The ALB receives the viewer's Host header: its HTTPS listener's certificate must cover the aliases.")
    elif c.origin.kind == "alb":
        notes.append(f"The ALB's HTTPS listener's certificate must cover `{c.origin.domain}`, the name CloudFront connects to.")
    if c.origin.kind == "alb":
        notes.append(
            "Let only CloudFront reach the ALB: allow HTTPS in its security group from the AWS-managed prefix list "
            "`com.amazonaws.global.cloudfront.origin-facing` alone, or viewers can go around the distribution (and its web ACL)."
        )

    if c.api_cache is not None:
        rest_api_id, stage = c.api_target()
        inputs["api_cache"] = {"rest_api_id": rest_api_id, "stage_name": stage, "cache_cluster_size": c.api_cache.size_text()}
        if c.api_cache.ttl != DEFAULT_API_CACHE_TTL:
            inputs["api_cache"]["ttl_in_seconds"] = c.api_cache.ttl
        inventory.append(
            f"API Gateway stage cache on `{rest_api_id}` stage `{stage}`: the stage's default method settings (`*/*`): caching on, "
            f"TTL {human_duration(c.api_cache.ttl)}, encrypted, invalidation (Cache-Control: max-age=0) only with execute-api:InvalidateCache, others get 403"
        )
        notes.append(
            f"The stage `{stage}` is not archgen's: enable its {c.api_cache.size_text()} GB cache cluster where it is defined "
            f"(`cache_cluster_enabled = true`, `cache_cluster_size = \"{c.api_cache.size_text()}\"`) or with "
            f"`aws apigateway update-stage --rest-api-id {rest_api_id} --stage-name {stage} --patch-operations "
            f"op=replace,path=/cacheClusterEnabled,value=true op=replace,path=/cacheClusterSize,value={c.api_cache.size_text()}`."
        )
        diagram.append(Edge(origin_node, Node(f"Stage cache {c.api_cache.size_text()} GB", "store"), "TTL"))
        outputs.append(("api_cache_settings", "the stage cache settings archgen manages and the cache cluster size to enable"))

    d = c.data_cache
    if d is not None:
        names += [
            AwsName(REPLICATION_GROUP, base, ("data_cache",)),
            AwsName(SUBNET_GROUP, base, ("data_cache",)),
            AwsName(SECURITY_GROUP, f"{base}-cache", ("data_cache",)),
            AwsName(LOG_GROUP, f"/aws/elasticache/{base}/slow-log", ("data_cache",)),
        ]
        data: dict = {
            "replication_group_id": base,
            "description": f"Data cache of {ctx.blueprint_name} {c.name}",
            "engine": d.engine,
            "engine_version": d.version(),
            "vpc_id": d.vpc_id,
            "subnet_ids": list(d.subnet_ids),
            "client_security_group_ids": list(d.client_security_group_ids),
            "user_name": f"{base}-app",
            "default_user_id": f"{base}-default",
            "security_group_name": f"{base}-cache",
            "log_group_name": f"/aws/elasticache/{base}/slow-log",
        }
        optional = {"node_type": (d.node_type, DEFAULT_NODE_TYPE), "replicas": (d.replicas, 1), "port": (d.port, DEFAULT_PORT),
                    "kms_key_arn": (d.kms_key, None), "snapshot_retention_limit": (d.snapshot_retention, DEFAULT_SNAPSHOT_RETENTION)}
        data.update({k: v for k, (v, dflt) in optional.items() if v != dflt})
        inputs["data_cache"] = data
        inventory.append(
            f"ElastiCache {d.engine} {d.version()} replication group `{base}`: {d.node_type}, a primary and {d.replicas} replica(s), "
            f"automatic failover across {len(d.subnet_ids)} subnets, encrypted at rest ({'KMS key ' + d.kms_key if d.kms_key else 'AWS owned key'}) "
            f"and in transit (TLS required), IAM authentication as user `{base}-app` (the default user is off), port {d.port} open to "
            f"{len(d.client_security_group_ids)} client security group(s), slow log to CloudWatch Logs, memory and CPU alarms per node"
        )
        notes.append(
            f"Clients connect over TLS to the output `{c.name.replace('-', '_')}_data_cache_primary_endpoint` as user `{base}-app`, "
            f"with an IAM authentication token as password (valid 15 minutes); give their roles the policy of the output "
            f"`{c.name.replace('-', '_')}_data_cache_connect_policy_json` (elasticache:Connect)."
        )
        diagram.append(Edge(Node("Application"), Node(f"ElastiCache {d.engine} {base}", "store"), "TLS + IAM"))
        outputs += [
            ("data_cache_primary_endpoint", "primary endpoint of the ElastiCache replication group (TLS)"),
            ("data_cache_reader_endpoint", "reader endpoint of the replication group (TLS)"),
            ("data_cache_user_name", "the IAM-authenticated user clients connect as"),
            ("data_cache_connect_policy_json", "IAM policy a client role needs to connect (elasticache:Connect)"),
            ("data_cache_security_group_id", "security group of the cache"),
        ]
        if ctx.alarm_actions is not None:
            inputs["alarm_actions"] = ctx.alarm_actions

    return Module(
        inputs=inputs,
        names=names,
        outputs=outputs,
        inventory=inventory,
        diagram=diagram,
        provider_aliases=providers_aliases,
        context={"s3": c.origin.kind == "s3", "api_cache": c.api_cache is not None, "data_cache": d is not None},
        notes=notes,
    )


PATTERN = Pattern(
    name="edge-cache",
    summary="caching layers in front of an application: CloudFront (ALB, API Gateway or S3 origin), API Gateway stage cache, ElastiCache",
    model=EdgeCache,
    build=build,
)

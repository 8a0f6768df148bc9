"""AWS names: each building block derives the names it creates, once, with the limit
of the namespace they live in. The engine checks every name a blueprint would create
for length (AG009) and for collisions across the whole blueprint (AG010)."""

from __future__ import annotations

from dataclasses import dataclass

from .findings import YamlPath


@dataclass(frozen=True)
class Namespace:
    key: str
    what: str  # "SQS queue"
    limit: int  # characters
    url: str  # the AWS page with the limit


NAMESPACES: dict[str, Namespace] = {}


def namespace(key: str, what: str, limit: int, url: str) -> Namespace:
    if key in NAMESPACES:
        raise ValueError(f"name namespace {key!r} is defined twice")
    NAMESPACES[key] = Namespace(key, what, limit, url)
    return NAMESPACES[key]


@dataclass(frozen=True)
class AwsName:
    """A name archgen will create, and the blueprint element it comes from."""

    namespace: Namespace
    name: str
    path: YamlPath  # relative to the component

    def __str__(self) -> str:
        return self.name


# Namespaces several blocks and patterns create names in, defined once: two parts of a blueprint
# that would make the same name collide whichever pattern they belong to (AG010).
IAM_ROLE = namespace("iam-role", "IAM role", 64, "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html")
INSTANCE_PROFILE = namespace("iam-instance-profile", "IAM instance profile", 128, "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html")
LOG_GROUP = namespace("log-group", "CloudWatch Logs log group", 512, "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html")
ALARM = namespace("cloudwatch-alarm", "CloudWatch alarm", 255, "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html")
EVENT_RULE = namespace("eventbridge-rule", "EventBridge rule", 64, "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html")
SECURITY_GROUP = namespace("security-group", "security group", 255, "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html")
LAUNCH_TEMPLATE = namespace("launch-template", "EC2 launch template", 128, "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html")
PLACEMENT_GROUP = namespace("placement-group", "EC2 placement group", 255, "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreatePlacementGroup.html")
AUTOSCALING_GROUP = namespace("autoscaling-group", "Auto Scaling group", 255, "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html")


def join(*parts: str) -> str:
    """`shop`, `orders`, `audit` -> `shop-orders-audit`."""
    return "-".join(p for p in parts if p)

"""Building block: an SNS topic (KMS-encrypted, TLS-only policy), and the dead-letter
queue every subscription gets (messages SNS cannot deliver are otherwise discarded).

Fields, rules (AG06x), names and limits live here; the Terraform lives in
templates/_blocks/topic.tf.j2.

The AWS managed key `alias/aws/sns` cannot be opened to AWS service publishers
(S3, CloudWatch, EventBridge): its key policy cannot be changed. Give
`topic.kms_key` a customer managed key whose policy allows them.
"""

from __future__ import annotations

from typing import Iterator

from ..modeling import Field

from ..model import Strict
from ..names import AwsName, namespace
from ..rules import Context, Violation, default, rule
from .iam import KMS_KEY_URL, Statement, kms_key_problem
from .queue import SQS

SNS = namespace("sns", "SNS topic", 256, "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html")
DEFAULT_KMS_KEY = default("topic_kms_key", "alias/aws/sns")
SUBSCRIPTION_DLQ = "https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html"


class Topic(Strict):
    """An SNS topic archgen builds."""

    fifo: bool = False
    kms_key: str = Field(DEFAULT_KMS_KEY, description="KMS key (ARN, alias or id) encrypting the topic")
    policy_statements: list[Statement] = Field(default_factory=list, description="extra statements for the topic policy")


@rule("AG060", "a topic's kms_key is a KMS key id, ARN or alias", KMS_KEY_URL, part=Topic)
def topic_kms_key_valid(topic: Topic, ctx: Context) -> Iterator[Violation]:
    problem = kms_key_problem(topic.kms_key)
    if problem:
        yield Violation(("kms_key",), problem)


def topic_name(base: str, fifo: bool) -> str:
    return base + (".fifo" if fifo else "")


def subscription_dlq_name(base: str, fifo: bool) -> str:
    """The dead-letter queue of a subscription named `base` (its type follows the topic's)."""
    return f"{base}-sns-dlq" + (".fifo" if fifo else "")


def names(base: str, fifo: bool, path: tuple) -> list[AwsName]:
    return [AwsName(SNS, topic_name(base, fifo), path)]


def subscription_names(base: str, fifo: bool, path: tuple) -> list[AwsName]:
    return [AwsName(SQS, subscription_dlq_name(base, fifo), path)]


def inputs(base: str, topic: Topic, statements: list[dict], content_based_deduplication: bool = False) -> dict:
    """The modules' `topic` object (defaults left to the module's optional())."""
    data: dict = {"name": topic_name(base, topic.fifo)}
    if topic.fifo:
        data["fifo"] = True
        if content_based_deduplication:
            data["content_based_deduplication"] = True
    if topic.kms_key != DEFAULT_KMS_KEY:
        data["kms_key_id"] = topic.kms_key
    if statements:
        data["policy_statements"] = statements
    return data


def customer_managed(kms_key: str) -> bool:
    return not kms_key.startswith("alias/aws/") and ":alias/aws/" not in kms_key

"""The root module's files and each module's versions.tf, written from decided values.

These files change with every blueprint and are written on every render, so
they are built here in Python rather than from Jinja templates: importing Jinja
cost a render more than writing them (docs/speed.md). The module files, which
are most of the output, stay Jinja templates, rendered once per shape and kept
in the user's cache. Every value placed in HCL goes through `hcl.value`
(quoted and escaped) or `hcl.ident` (a checked identifier), as in templates.
"""

from __future__ import annotations

import re

from . import hcl
from .providers import PROVIDERS, TERRAFORM_VERSION


def _q(value: object, indent: int = 0) -> str:
    return str(hcl.value(value, indent))


def _id(value: str) -> str:
    return str(hcl.ident(value))


def versions_tf(providers: set[str], aliases: dict[str, str] | None = None) -> str:
    """A versions.tf: Terraform's and each provider's constraints, and (a module's) the provider
    aliases it is handed."""
    aliases = sorted(aliases or {})
    lines = ["terraform {", f"  required_version = {_q(TERRAFORM_VERSION)}", "", "  required_providers {"]
    for name in sorted(providers):
        p = PROVIDERS[name]
        lines += [f"    {_id(p.name)} = {{", f"      source  = {_q(p.source)}", f"      version = {_q(p.constraint)}"]
        if p.name == "aws" and aliases:
            lines.append(f"      configuration_aliases = [{', '.join('aws.' + _id(a) for a in aliases)}]")
        lines.append("    }")
    lines += ["  }", "}"]
    return hcl.format_hcl("\n".join(lines))


def providers_tf(region: str, tags: dict[str, str], aliases: dict[str, str]) -> str:
    """The default AWS provider, and one per alias a module asks for (e.g. us-east-1 for CloudFront)."""
    blocks = []
    for alias, where in [(None, region), *sorted(aliases.items())]:
        lines = ['provider "aws" {']
        if alias is not None:
            lines.append(f"  alias  = {_q(alias)}")
        lines += [f"  region = {_q(where)}", "", "  default_tags {", f"    tags = {_q(tags, 2)}", "  }", "}"]
        blocks.append("\n".join(lines))
    return hcl.format_hcl("\n\n".join(blocks))


def backend_tf(bucket: str, key: str, region: str) -> str:
    """The S3 backend, with S3's native lock file."""
    return hcl.format_hcl(
        "\n".join([
            "terraform {",
            '  backend "s3" {',
            f"    bucket       = {_q(bucket)}",
            f"    key          = {_q(key)}",
            f"    region       = {_q(region)}",
            "    encrypt      = true",
            "    use_lockfile = true",
            "  }",
            "}",
        ])
    )


def main_tf(calls: list[dict]) -> str:
    """One module call per component: `calls` items have name, pattern, summary, aliases, inputs.
    The inputs are written already formatted (hcl.attributes): a large fan-out's map is most of it."""
    blocks = []
    for call in calls:
        lines = [f"# {_id(call['pattern'])}: {hcl.comment(call['summary'])}", f'module "{_id(call["name"])}" {{', f'  source = "./modules/{_id(call["name"])}"']
        aliases = sorted(call["aliases"])
        if aliases:
            keys = ["aws"] + [f"aws.{_id(a)}" for a in aliases]
            width = 4 + max(len(a) for a in aliases)
            lines += ["", "  providers = {"] + [f"    {str(hcl.ident_path(k)).ljust(width)} = {hcl.ident_path(k)}" for k in keys] + ["  }"]
        lines += ["", str(hcl.attributes(call["inputs"], 1)) + "}"]
        blocks.append("\n".join(lines))
    return hcl.tidy("\n\n".join(blocks))


def output_name(component: str, output: str) -> str:
    return f"{component}_{output}".replace("-", "_")


def outputs_tf(calls: list[dict], alarm_topic: bool) -> str:
    """Every output of every module, under `<component>_<output>`; the alarm topic's ARN."""
    blocks = []
    for call in calls:
        name = call["name"]
        for out, description in call["outputs"]:
            text = f"{name}: {description}."
            blocks.append(
                f'output "{_id(output_name(name, out))}" {{\n'
                f"  description = {_q(text)}\n"
                f"  value       = module.{_id(name)}.{_id(out)}\n"
                "}"
            )
    if alarm_topic:
        blocks.append(
            'output "alarm_topic_arn" {\n'
            '  description = "ARN of the topic every alarm notifies; its e-mail subscriptions wait for confirmation."\n'
            "  value       = aws_sns_topic.alarms.arn\n"
            "}"
        )
    return hcl.format_hcl("\n\n".join(blocks))


def _md(value: object) -> str:
    """Text for Markdown, its syntax characters escaped, on one line."""
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", str(value)).replace("\n", " ")


def readme(view: dict) -> str:
    """README.md of the output folder. `view`: name, region, calls (name, pattern, inventory,
    notes, outputs), diagram (Mermaid lines), packages, alarms, iam_path, permissions_boundary."""
    name, alarms = view["name"], view["alarms"] or {}
    out = [
        f"# {_md(name)}",
        "",
        f"Generated by archgen from the blueprint `{_md(name)}` (Region {_md(view['region'])}). Edit the",
        "blueprint and render again rather than editing these files: `archgen render --check` in CI reports",
        "any drift, and a render overwrites an edited file (saying so).",
        "",
        "## What is built",
        "",
    ]
    for call in view["calls"]:
        out += [f"### {_md(call['name'])} ({call['pattern']})", ""]
        out += [f"- {line}" for line in [*call["inventory"], *call["notes"]]]
        out.append("")
    out += ["## Diagram", "", "```mermaid", "flowchart LR", *view["diagram"], "```", "", "## Next", "", "```sh",
            "terraform init", "terraform plan -out tfplan", "terraform apply tfplan", "```", "",
            "Plan and apply may run in different jobs or on a remote runner: everything the plan needs is in this"]
    folder = "folder."
    if view["packages"]:
        folder += (" Function code is copied from the blueprint's `source` folders into `modules/*/functions/` and\n"
                   "zipped by Terraform at apply time (into `modules/*/.build/`, which `.gitignore` leaves out).")
    out += [folder, ""]
    if alarms.get("emails"):
        out += [f"Alarms notify the topic `{_md(alarms['topic_name'])}`; each e-mail address receives a confirmation",
                "message first, and gets alarms only once it has confirmed."]
    elif alarms.get("topic_arn"):
        out.append(f"Alarms notify the existing topic `{_md(alarms['topic_arn'])}`.")
    else:
        out += ["Alarms (dead-letter queues, failures) exist in CloudWatch but notify no one: give the blueprint",
                "`alarms: {emails: [...]}` or `alarms: {topic_arn: ...}` to be told."]
    path, boundary = view["iam_path"], view["permissions_boundary"]
    if boundary or path != "/":
        line = "Every IAM role is created"
        if path != "/":
            line += f" under the path `{_md(path)}`"
        if boundary:
            line += f" with the permissions boundary `{_md(boundary)}`"
        out += ["", line + "."]
    names = [f"`{output_name(call['name'], o)}`" for call in view["calls"] for o, _ in call["outputs"]]
    if alarms.get("emails"):
        names.append("`alarm_topic_arn`")
    out += ["", f"Outputs: {', '.join(names)}."]
    return "\n".join(out) + "\n"

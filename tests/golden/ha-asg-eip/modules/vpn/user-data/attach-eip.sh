#!/bin/bash
# archgen ha-instance (asg-eip, asg-ebs): give this instance the pattern's Elastic IP.
#
# EC2 user data, rendered by Terraform templatefile() with:
#   eip_tag_key, eip_tag_value  the tag that identifies the Elastic IP (exactly one address)
#   max_attempts                tries per step before giving up (backoff 2, 4, ... 60 s)
# Values must not contain a single quote.  Needs curl and the AWS CLI v2 on the AMI, IMDSv2
# reachable (hop limit 1 is enough) and an instance profile allowing ec2:DescribeAddresses
# and ec2:AssociateAddress.  The instance must have one network interface.
# Logs to stderr (cloud-init output, the serial console) and to the journal (tag below).
set -euo pipefail

EIP_TAG_KEY='${eip_tag_key}'
EIP_TAG_VALUE='${eip_tag_value}'
MAX_ATTEMPTS='${max_attempts}'

LOG_TAG=archgen-attach-eip
IMDS=http://169.254.169.254

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$LOG_TAG" "$*" >&2
  logger -t "$LOG_TAG" -- "$*" 2>/dev/null || true
}

# retry DESCRIPTION COMMAND...: run COMMAND until it succeeds, with exponential backoff.
retry() {
  local what=$1 attempt=1 delay=2
  shift
  until "$@"; do
    if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
      log "giving up: $what (after $attempt attempts)"
      return 1
    fi
    log "failed: $what (attempt $attempt of $MAX_ATTEMPTS); retrying in $delay seconds"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
    if [ "$delay" -gt 60 ]; then delay=60; fi
  done
}

# IMDSv2: a session token from PUT /latest/api/token, then GETs that carry it.
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
TOKEN=
fetch_token() {
  TOKEN=$(curl -sSf --connect-timeout 2 --max-time 5 -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/latest/api/token") || return 1
  [ -n "$TOKEN" ]
}

METADATA=
fetch_metadata() {
  METADATA=$(curl -sSf --connect-timeout 2 --max-time 5 \
    -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS/latest/meta-data/$1") || return 1
  [ -n "$METADATA" ]
}

ALLOCATION_ID=
find_address() {
  local found
  found=$(aws ec2 describe-addresses --region "$REGION" \
    --filters "Name=tag:$EIP_TAG_KEY,Values=$EIP_TAG_VALUE" \
    --query 'Addresses[].AllocationId' --output text) || return 1
  # shellcheck disable=SC2086 # split the tab-separated list on purpose
  set -- $found
  if [ "$#" -ne 1 ]; then
    log "expected exactly one Elastic IP tagged $EIP_TAG_KEY=$EIP_TAG_VALUE, found $#: $found"
    return 1
  fi
  ALLOCATION_ID=$1
}

associate() {
  aws ec2 associate-address --region "$REGION" --instance-id "$INSTANCE_ID" \
    --allocation-id "$ALLOCATION_ID" --allow-reassociation --output text >/dev/null || return 1
  local holder
  holder=$(aws ec2 describe-addresses --region "$REGION" --allocation-ids "$ALLOCATION_ID" \
    --query 'Addresses[0].InstanceId' --output text) || return 1
  [ "$holder" = "$INSTANCE_ID" ]
}

main() {
  retry "IMDSv2 token" fetch_token
  retry "instance id from IMDS" fetch_metadata instance-id
  INSTANCE_ID=$METADATA
  retry "region from IMDS" fetch_metadata placement/region
  REGION=$METADATA
  log "instance $INSTANCE_ID in $REGION: looking for the Elastic IP tagged $EIP_TAG_KEY=$EIP_TAG_VALUE"
  retry "find the Elastic IP" find_address
  retry "associate $ALLOCATION_ID with $INSTANCE_ID" associate
  log "Elastic IP $ALLOCATION_ID is associated with $INSTANCE_ID"
}

# ARCHGEN_SOURCE_ONLY=1 defines the functions without running (the tests source the script).
if [ "$${ARCHGEN_SOURCE_ONLY:-0}" != 1 ]; then
  main "$@"
fi

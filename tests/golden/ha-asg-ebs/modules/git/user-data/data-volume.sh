#!/bin/bash
# archgen ha-instance (asg-ebs): mount the component's data volume, which the lifecycle
# Lambda attaches while this instance is in Pending:Wait.
#
# EC2 user data, rendered by Terraform templatefile() with:
#   component_tag_key, component_tag_value  the tag on the component's volume
#   device_name   the device the Lambda attaches at (DEVICE_NAME, e.g. /dev/sdf)
#   mount_point   absolute path, letters, digits and . _ - / only
#   fs_type       xfs or ext4: used only when the volume has no filesystem yet
#   wait_seconds  how long to wait for the attachment and the block device
# Values must not contain a single quote.  Needs the AWS CLI v2, curl, blkid and mkfs for
# fs_type on the AMI, and an instance profile allowing ec2:DescribeVolumes.
#
# Never formats a device that has any signature (filesystem, partition table, RAID, ...):
# blkid -p exit status 2 ("nothing found") is the only case that formats.  The fstab line
# mounts by UUID with nofail, so a boot without the volume does not hang.  Running it again
# (or rebooting) changes nothing.  Logs to stderr (cloud-init output, the serial console)
# and to the journal.
set -euo pipefail

COMPONENT_TAG_KEY='${component_tag_key}'
COMPONENT_TAG_VALUE='${component_tag_value}'
DEVICE_NAME='${device_name}'
MOUNT_POINT='${mount_point}'
FS_TYPE='${fs_type}'
WAIT_SECONDS='${wait_seconds}'

LOG_TAG=archgen-data-volume
IMDS=http://169.254.169.254
FSTAB=/etc/fstab

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$LOG_TAG" "$*" >&2
  logger -t "$LOG_TAG" -- "$*" 2>/dev/null || true
}

die() {
  log "error: $*"
  exit 1
}

check_settings() {
  case "$FS_TYPE" in
    xfs | ext4) ;;
    *) die "fs_type must be xfs or ext4, not '$FS_TYPE'" ;;
  esac
  case "$MOUNT_POINT" in
    / | *[!A-Za-z0-9._/-]* | [!/]*) die "mount_point must be an absolute path of letters, digits and . _ - / (not /): '$MOUNT_POINT'" ;;
  esac
  case "$WAIT_SECONDS" in
    '' | *[!0-9]*) die "wait_seconds must be a whole number: '$WAIT_SECONDS'" ;;
  esac
  [ "$(id -u)" -eq 0 ] || die "must run as root"
}

# IMDSv2: a session token from PUT /latest/api/token, then GETs that carry it.
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
imds() {
  local token attempt
  for attempt in 1 2 3 4 5; do
    if token=$(curl -sSf --connect-timeout 2 --max-time 5 -X PUT \
      -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/latest/api/token") &&
      curl -sSf --connect-timeout 2 --max-time 5 \
        -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/meta-data/$1"; then
      return 0
    fi
    log "IMDS $1 failed (attempt $attempt); retrying"
    sleep "$attempt"
  done
  return 1
}

# The id of the component volume attached to this instance, once the Lambda attached it.
attached_volume_id() {
  aws ec2 describe-volumes --region "$REGION" \
    --filters "Name=attachment.instance-id,Values=$INSTANCE_ID" \
    "Name=attachment.status,Values=attached" \
    "Name=tag:$COMPONENT_TAG_KEY,Values=$COMPONENT_TAG_VALUE" \
    --query 'Volumes[0].VolumeId' --output text
}

# The block device of VOLUME_ID: on Nitro instances an NVMe device whose serial is the volume
# id (udev link /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol...), else the device name.
# https://docs.aws.amazon.com/ebs/latest/userguide/identify-nvme-ebs-device.html
find_device() {
  local candidate
  for candidate in "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$${VOLUME_ID/-/}" \
    "$DEVICE_NAME" "/dev/xvd$${DEVICE_NAME#/dev/sd}"; do
    if [ -b "$candidate" ]; then
      readlink -f "$candidate"
      return 0
    fi
  done
  return 1
}

wait_for_device() {
  local deadline=$((SECONDS + WAIT_SECONDS)) found
  VOLUME_ID=
  while :; do
    if [ -z "$VOLUME_ID" ]; then
      found=$(attached_volume_id 2>/dev/null) || found=
      if [ -n "$found" ] && [ "$found" != None ]; then
        VOLUME_ID=$found
        log "volume $VOLUME_ID is attached to $INSTANCE_ID"
      fi
    fi
    if [ -n "$VOLUME_ID" ]; then
      udevadm settle 2>/dev/null || true
      if DEVICE=$(find_device); then
        log "volume $VOLUME_ID is $DEVICE"
        return 0
      fi
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      die "no component volume ($COMPONENT_TAG_KEY=$COMPONENT_TAG_VALUE) appeared within $${WAIT_SECONDS}s (volume: $${VOLUME_ID:-none})"
    fi
    sleep 5
  done
}

# Make a filesystem only when the device carries no signature at all.
ensure_filesystem() {
  local status=0
  EXISTING_TYPE=$(blkid -p -s TYPE -o value "$DEVICE") || status=$?
  case "$status" in
    0)
      [ -n "$EXISTING_TYPE" ] || die "$DEVICE has a signature but no filesystem (partition table?); not touching it"
      log "$DEVICE already has a $EXISTING_TYPE filesystem"
      if [ "$EXISTING_TYPE" != "$FS_TYPE" ]; then
        log "keeping the existing $EXISTING_TYPE filesystem (fs_type $FS_TYPE applies to new volumes only)"
      fi
      ;;
    2)
      log "$DEVICE is blank: creating a $FS_TYPE filesystem"
      "mkfs.$FS_TYPE" -q "$DEVICE"
      EXISTING_TYPE=$FS_TYPE
      ;;
    *) die "blkid -p $DEVICE failed (status $status); not formatting" ;;
  esac
}

ensure_fstab() {
  local uuid pass=0 desired current
  uuid=$(blkid -p -s UUID -o value "$DEVICE") || die "no filesystem UUID on $DEVICE"
  [ -n "$uuid" ] || die "no filesystem UUID on $DEVICE"
  if [ "$EXISTING_TYPE" = ext4 ]; then pass=2; fi
  desired="UUID=$uuid $MOUNT_POINT $EXISTING_TYPE defaults,nofail 0 $pass"
  current=$(awk -v mp="$MOUNT_POINT" '$1 !~ /^#/ && $2 == mp' "$FSTAB")
  if [ "$current" = "$desired" ]; then
    log "$FSTAB already mounts $MOUNT_POINT by UUID"
    return 0
  fi
  cp -p "$FSTAB" "$FSTAB.archgen.bak"
  {
    awk -v mp="$MOUNT_POINT" '$1 ~ /^#/ || $2 != mp' "$FSTAB"
    printf '%s\n' "$desired"
  } >"$FSTAB.archgen.new"
  mv "$FSTAB.archgen.new" "$FSTAB"
  log "$FSTAB: $desired"
  if command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload || true; fi
}

ensure_mounted() {
  local source
  mkdir -p "$MOUNT_POINT"
  if mountpoint -q "$MOUNT_POINT"; then
    source=$(readlink -f "$(findmnt -rno SOURCE --target "$MOUNT_POINT")")
    [ "$source" = "$DEVICE" ] || die "$MOUNT_POINT is already mounted from $source, not $DEVICE"
    log "$MOUNT_POINT is already mounted"
  else
    mount "$MOUNT_POINT"
    log "mounted $DEVICE at $MOUNT_POINT"
  fi
  # A volume restored from a smaller snapshot (or enlarged) gets a filesystem that fills it.
  if [ "$EXISTING_TYPE" = xfs ]; then
    xfs_growfs -d "$MOUNT_POINT" >/dev/null
  else
    resize2fs "$DEVICE" >/dev/null 2>&1 || log "resize2fs $DEVICE failed; the filesystem keeps its size"
  fi
}

main() {
  check_settings
  INSTANCE_ID=$(imds instance-id) || die "cannot read instance-id from IMDS"
  REGION=$(imds placement/region) || die "cannot read the region from IMDS"
  log "instance $INSTANCE_ID in $REGION: waiting for the data volume at $DEVICE_NAME"
  wait_for_device
  ensure_filesystem
  ensure_fstab
  ensure_mounted
  log "data volume $VOLUME_ID ($DEVICE, $EXISTING_TYPE) is mounted at $MOUNT_POINT"
}

# ARCHGEN_SOURCE_ONLY=1 defines the functions without running (the tests source the script).
if [ "$${ARCHGEN_SOURCE_ONLY:-0}" != 1 ]; then
  main "$@"
fi

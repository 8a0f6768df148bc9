#!/bin/bash
# First boot of the gateway's instances: an SFTP-only account for partner uploads.
set -euo pipefail
groupadd --force sftponly
id partner >/dev/null 2>&1 || useradd --gid sftponly --shell /sbin/nologin --create-home partner
install -d -o root -g root -m 0755 /srv/sftp/partner
install -d -o partner -g sftponly -m 0750 /srv/sftp/partner/upload
cat >/etc/ssh/sshd_config.d/50-sftp.conf <<'CONF'
Match Group sftponly
    ChrootDirectory /srv/sftp/%u
    ForceCommand internal-sftp
    AllowTcpForwarding no
    X11Forwarding no
CONF
systemctl reload sshd

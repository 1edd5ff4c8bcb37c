#!/usr/bin/env bash
# A running Docker engine for `make test-sam-local`, as CI needs it on a clean machine:
# Debian's docker.io when dockerd is missing, and dockerd started in the background (no
# systemd here) when nothing answers. Root does it directly, anyone else through sudo.
set -euo pipefail
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

if docker info >/dev/null 2>&1; then
	echo "docker: engine $(docker info --format '{{.ServerVersion}}') running"
	exit 0
fi
if ! command -v dockerd >/dev/null; then
	echo "dockerd is missing: installing Debian's docker.io (apt-get)"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
fi
log="${DOCKERD_LOG:-/tmp/dockerd.log}"
echo "docker: starting dockerd (log: $log)"
$sudo sh -c "nohup dockerd >'$log' 2>&1 &"
for _ in $(seq 60); do
	if docker info >/dev/null 2>&1; then
		echo "docker: engine $(docker info --format '{{.ServerVersion}}') running"
		exit 0
	fi
	sleep 0.5
done
echo "docker: dockerd did not start within 30 s; its log ends:" >&2
tail -n 20 "$log" >&2
exit 1

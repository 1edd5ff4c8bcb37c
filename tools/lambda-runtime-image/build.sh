#!/usr/bin/env bash
# The Lambda Python 3.13 base image that `sam local` runs functions in, for this machine's
# architecture: AWS's own when Docker has it or can pull it, else a stand-in built from
# Debian's packages (Debian 13 "trixie" ships Python 3.13) with AWS's runtime interface client
# (awslambdaric from PyPI) as /var/runtime/bootstrap. SAM CLI adds the runtime interface
# emulator itself when it starts a container. Tagged as the image sam looks for, so
# `sam local ... --skip-pull-image` uses it. Needs root for debootstrap; about 2 minutes.
set -euo pipefail

case "$(uname -m)" in
	x86_64 | amd64) lambda_arch=x86_64; wheel_platform=manylinux2014_x86_64 ;;
	aarch64 | arm64) lambda_arch=arm64; wheel_platform=manylinux2014_aarch64 ;;
	*) echo "no Lambda image for $(uname -m)" >&2; exit 1 ;;
esac
tag="${LAMBDA_IMAGE:-public.ecr.aws/lambda/python:3.13-$lambda_arch}"
python="${PYTHON:-python3}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$tag" >/dev/null 2>&1; then
	echo "Lambda image: $tag (present)"
	exit 0
fi
if timeout 120 docker pull --quiet "$tag" >/dev/null 2>&1; then
	echo "Lambda image: $tag (pulled)"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "$tag cannot be pulled; building the stand-in needs root (debootstrap)" >&2; exit 1; }
if ! command -v debootstrap >/dev/null; then
	echo "debootstrap is missing: installing it (apt-get)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

echo "Lambda image: $tag cannot be pulled; building a stand-in from Debian trixie (about 2 minutes)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
debootstrap --variant=minbase --include=python3,ca-certificates trixie "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
	|| { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
"$python" -m pip install --quiet --disable-pip-version-check --target "$rootfs/var/runtime" \
	--only-binary=:all: --platform "$wheel_platform" --python-version 3.13 awslambdaric boto3 \
	>"$work/pip.log" 2>&1 || { tail -n 20 "$work/pip.log" >&2; exit 1; }
# What AWS's image has: the task and the layers on the path, then the runtime's own packages.
cat >"$rootfs/var/runtime/bootstrap" <<'BOOTSTRAP'
#!/bin/sh
export PYTHONPATH="/var/task:/opt/python/lib/python3.13/site-packages:/opt/python:/var/runtime"
exec /usr/bin/python3.13 -m awslambdaric "$_HANDLER"
BOOTSTRAP
chmod 0755 "$rootfs/var/runtime/bootstrap"
mkdir -p "$rootfs/var/task" "$rootfs/opt"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import \
	--change 'ENV LANG=C.UTF-8 TZ=:/etc/localtime LAMBDA_TASK_ROOT=/var/task LAMBDA_RUNTIME_DIR=/var/runtime' \
	--change 'WORKDIR /var/task' \
	- "$tag" >/dev/null
echo "Lambda image: $tag (built, $(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%d MB", $1 / 1e6}'))"

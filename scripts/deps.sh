#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks: protoc (to check
# the generated code), Apache ZooKeeper with a JRE (for the HA tests), fuse3
# (for the FUSE tests), the versitygw S3 server (for the S3 under storage
# tests and the S3 API benchmark), the aws CLI and boto3 (for the S3 API
# tests), Chromium (for the web UI test), and fio (for the FUSE
# benchmark's cross-check).
# Idempotent: does nothing when everything is there.
set -euo pipefail
need=()
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
[ -d /usr/share/zookeeper ] || need+=(zookeeper)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
# The partition test puts masters in network namespaces (run as root).
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# The web UI test drives a real browser (headless Chromium over DevTools).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The FUSE tests mount real file systems (fusermount3 for non-root users)
# and run standard tools against them.
command -v fusermount3 >/dev/null 2>&1 || need+=(fuse3)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v rsync >/dev/null 2>&1 || need+=(rsync)
command -v git >/dev/null 2>&1 || need+=(git)
# The FUSE benchmark cross-checks its reads and writes with fio (make bench).
command -v fio >/dev/null 2>&1 || need+=(fio)
# The S3 API is tested with real clients: Debian's aws CLI and boto3.
[ -x /usr/bin/aws ] || need+=(awscli)
/usr/bin/python3 -c 'import boto3' >/dev/null 2>&1 || need+=(python3-boto3)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
go mod download
# The S3 tests run a real S3 server: versitygw, built from its Go module at a
# pinned version into a cache folder that tests/testcluster looks in.
versitygw_version=v1.8.0
tools="${XDG_CACHE_HOME:-$HOME/.cache}/alluxio-tools"
if [ -z "${ALLUXIO_TEST_VERSITYGW:-}" ] && [ ! -x "$tools/versitygw" ]; then
  echo "installing: versitygw $versitygw_version into $tools"
  mkdir -p "$tools"
  GOBIN="$tools" go install "github.com/versity/versitygw/cmd/versitygw@$versitygw_version"
fi

#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks: protoc (to check
# the generated code), Apache ZooKeeper with a JRE (for the HA tests), and
# the aws CLI and boto3 (for the S3 API tests).
# Idempotent: does nothing when everything is there.
set -euo pipefail
need=()
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
[ -d /usr/share/zookeeper ] || need+=(zookeeper)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
# The partition test puts masters in network namespaces (run as root).
command -v ip >/dev/null 2>&1 || need+=(iproute2)
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

#!/usr/bin/env bash
# Runs the Dockerfile benchmark (see main.go) and prints its markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
go run ./bench/dockerfile "$@"

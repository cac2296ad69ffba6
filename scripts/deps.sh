#!/usr/bin/env bash
# Installs the Debian 12 packages closeloop needs, only those missing.
# Called by `make run`, `make test` and `make bench`; safe to run again.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang clang-format
  libclang-rt-14-dev                       # libFuzzer runtime for the DSL fuzz target
  librocksdb-dev rocksdb-tools             # embedded log + state store; db_bench reference
  libflatbuffers-dev flatbuffers-compiler  # record format, flatc at build time
  librdkafka-dev kcat                      # Kafka backend, mock cluster, test producer
  libcpp-httplib-dev                       # HTTP server and test client
  libfmt-dev libspdlog-dev                 # formatting, logging
  doctest-dev                              # unit tests
  libcli11-dev                             # command-line parsing
  nlohmann-json3-dev                       # JSON outside the record codec (API, config)
  libpugixml-dev                           # Open311 XML: writing answers, parsing them in tests
  libssl-dev                               # SHA-256, random ids, TLS
  openssl                                  # the TLS test makes its certificate with it
  libhowardhinnant-date-dev tzdata         # civil calendar and time zones
  postgresql libpq-dev python3            # bench: the PostgreSQL baseline, its client, report.py
  nodejs chromium fonts-noto-cjk          # web console browser tests: playwright-core drives Debian's chromium
  jq curl                                 # the README's examples, run by the docs test
  libcurl4-openssl-dev                    # notifications: webhooks, SMS gateways, SMTP (connectors/notify)
  python3-aiosmtpd                        # the notification tests' SMTP server
)
# npm: Debian's package, unless the nodejs installed already brings its own (NodeSource's
# does, and conflicts with Debian's npm).
command -v npm >/dev/null || PACKAGES+=(npm)
if [ "${CLOSELOOP_EXTRA_PACKAGES:-}" != "" ]; then
  read -r -a extra <<<"$CLOSELOOP_EXTRA_PACKAGES"
  PACKAGES+=("${extra[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

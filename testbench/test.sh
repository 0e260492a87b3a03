#!/usr/bin/env bash
# Runs every ventd test: formatting, vet, and the whole suite under the race
# detector. Installs what the tests need first. With CI=true a missing
# dependency fails the run; it never skips.
set -euo pipefail
cd "$(dirname "$0")/.."

need_go() {
	if ! command -v go >/dev/null; then
		echo "test.sh: Go is not installed; install Go 1.26 from your distribution or the Go website" >&2
		exit 1
	fi
}
need_go

# Debian packages the tests use: prometheus (with promtool) for the
# Prometheus tests; chromium for the status page's browser tests;
# mosquitto and its clients for the MQTT tests (a real broker, mosquitto_sub
# as a facilities manager runs it), python3-jinja2 to render Home
# Assistant's value templates as it does; qemu-user-static runs the ARM
# builds, systemd has systemd-analyze and systemctl, dpkg and passwd
# install the package into a scratch root (firmware/); poppler-utils
# (pdftotext, pdftoppm) reads the auditor's report back, and sqlite3 edits
# a journal to show that the hash chain catches it; e2fsprogs, util-linux
# and mount make and freeze the scratch file system of the stalled-disk
# test (cmd/ventd, as root).
packages=(prometheus chromium mosquitto mosquitto-clients python3-jinja2 qemu-user-static systemd dpkg passwd poppler-utils sqlite3 e2fsprogs util-linux mount)
missing=()
for p in "${packages[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
	else
		echo "test.sh: missing packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi

# Rendered report pages and status page screenshots go here, for CI to
# keep and for a person to look at.
export VENTD_ARTIFACTS="${VENTD_ARTIFACTS:-$PWD/artifacts}"
mkdir -p "$VENTD_ARTIFACTS"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
echo "== go vet"
go vet ./...
echo "== go test -race"
log=/tmp/ventd-test.$$.log
trap 'rm -f "$log"' EXIT
# A failing suite must not end the script here (set -e): the summary
# comes first, and the exit status is go test's (pipefail gives it, tee
# having succeeded).
status=0
go test -race -count=1 -timeout 20m ./... 2>&1 | tee "$log" || status=$?
passed=$(grep -c '^ok ' "$log" || true)
# One line a package ("FAIL<tab>package ..."): the bare "FAIL" lines
# of each failed package and of the whole run are not packages.
failed=$(grep -c -E '^FAIL[[:space:]]' "$log" || true)
echo "packages: $passed passed, $failed failed"
exit "$status"

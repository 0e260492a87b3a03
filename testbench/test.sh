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

# Debian packages the tests use (none yet beyond Go; MQTT, Prometheus and
# the status page add mosquitto, prometheus and chromium here).
packages=(poppler-utils sqlite3) # the report test: pdftotext, pdftoppm; the chain test edits a journal with sqlite3
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
go test -race -count=1 -timeout 20m ./... 2>&1 | tee /tmp/ventd-test.$$.log
status=${PIPESTATUS[0]}
passed=$(grep -c '^ok ' /tmp/ventd-test.$$.log || true)
failed=$(grep -c '^FAIL' /tmp/ventd-test.$$.log || true)
rm -f /tmp/ventd-test.$$.log
echo "packages: $passed passed, $failed failed"
exit "$status"

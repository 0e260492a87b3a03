#!/bin/sh
# Builds ventbench with the law ventd ran before the room law (the per-fan
# control.NewFan of REV, by default a522859 on main) as its "ventd"
# controller, so the same scenarios, baselines and figures measure both
# laws. Everything happens in a temporary worktree; nothing here is part
# of ventd.
#
#   sh cmd/ventbench/testdata/mainlaw/before.sh /tmp/ventbench-before [REV]
#   /tmp/ventbench-before -set all -json -runs=false -cache /tmp/ctl-cache > before.json
set -eu
out=${1:?usage: before.sh OUTPUT-BINARY [REV]}
rev=${2:-a522859}
here=$(cd "$(dirname "$0")" && pwd)
wt=$(mktemp -d)/ventd
git worktree add --detach "$wt" HEAD >/dev/null
trap 'git worktree remove --force "$wt"' EXIT
mkdir "$wt/cmd/ventbench/mainlaw"
for f in $(git ls-tree --name-only "$rev" control/ | grep '\.go$' | grep -v _test.go); do
	git show "$rev:$f" | sed 's/^package control$/package mainlaw/' >"$wt/cmd/ventbench/mainlaw/$(basename "$f")"
done
cp "$here/adapter.go.txt" "$wt/cmd/ventbench/mainlaw_adapter.go"
sed -i 's|newLaw: func(p control.Params) (control.Law, error) { return control.NewRoom(p) }},|newLaw: newMainRoom},|' "$wt/cmd/ventbench/controllers.go"
grep -q newMainRoom "$wt/cmd/ventbench/controllers.go"
(cd "$wt" && go build -o "$out" ./cmd/ventbench)

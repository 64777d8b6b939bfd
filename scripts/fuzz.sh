#!/bin/sh
# Runs every fuzz target of the repository for $FUZZTIME each (make fuzz).
# A failure stops the run; its input is in the package's testdata/fuzz/,
# where it stays as a regression test once the code is fixed.
set -eu
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-2m}
for pkg in $($GO list ./...); do
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
		echo "fuzz $pkg $f ($FUZZTIME)"
		$GO test -run '^$' -fuzz "^$f\$" -fuzztime "$FUZZTIME" "$pkg"
	done
done

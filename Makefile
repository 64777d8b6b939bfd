# ccql — the README's two commands are `make demo` (run the seed's statements
# on the embedded emulator) and `make test` (everything CI runs).
GO      ?= go
BIN     ?= bin/ccql
PKGS    ?= ./...
export CGO_ENABLED ?= 0
# staticcheck pinned to a release that knows Go 1.26; `go run` fetches it
# through the module proxy without touching go.mod.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build demo test test-race vet fmt-check tidy-check staticcheck bench bench-cli fuzz clean

# One static, stripped binary: no cgo (even where gcc is installed), no
# build paths, no symbol table or DWARF. The version, commit and date come
# from the module and git through runtime/debug.ReadBuildInfo
# (-buildvcs=auto overrides a GOFLAGS=-buildvcs=false). go build does not
# recognise a git worktree (.git is a file there), so make also passes the
# commit with -X; ccql prefers what go build stamped.
GIT_COMMIT   := $(shell git rev-parse HEAD 2>/dev/null)
GIT_TIME     := $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
GIT_MODIFIED := $(shell test -n "$$(git status --porcelain 2>/dev/null)" && echo true || echo false)
VCS_LDFLAGS  := $(if $(GIT_COMMIT),-X main.vcsRevision=$(GIT_COMMIT) -X main.vcsTime=$(GIT_TIME) -X main.vcsModified=$(GIT_MODIFIED))
BUILDFLAGS   ?= -trimpath -buildvcs=auto -ldflags "-s -w $(VCS_LDFLAGS)"

build:
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o $(BIN) ./cmd/ccql

# The seed page's statements, end to end, on a fresh embedded emulator.
demo: build
	@rm -rf .tmp/demo && mkdir -p .tmp/demo
	$(BIN) exec --data-dir .tmp/demo -f examples/quickstart.iql

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l . | grep -v '^\.tmp/' || true); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# go.mod and go.sum must be what `go mod tidy` makes of the imports.
tidy-check:
	$(GO) mod tidy -diff

staticcheck:
	$(STATICCHECK) $(PKGS)

test: fmt-check vet tidy-check staticcheck
	$(GO) build ./...
	$(GO) test -count=1 -timeout 20m $(PKGS)
	$(MAKE) test-race

# The race detector needs cgo; -short skips the tests that build and run the binary.
test-race:
	CGO_ENABLED=1 $(GO) test -race -short -count=1 -timeout 20m $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

clean:
	rm -rf bin .tmp

# Every fuzz target of the repository, FUZZTIME each (default 2m; not part
# of make test). New findings land in the package's testdata/fuzz/ and fail
# the run: fix the code, keep the entry as a regression test.
FUZZTIME ?= 2m
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh

# Cold start, SELECT by Identifier and the 10,000-client count (README, Benchmarks).
bench-cli:
	scripts/bench-cli.sh

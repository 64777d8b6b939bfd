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

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/ccql

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

# Cold start, SELECT by Identifier and the 10,000-client count (README, Benchmarks).
bench-cli:
	scripts/bench-cli.sh

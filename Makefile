# Entry points named in README.md. Every target is a thin wrapper over a script in scripts/.
.PHONY: demo test install release bench

## make demo: quickstart example end to end against the local Azure sandbox
demo:
	bash scripts/demo.sh

## make test: formatting, lints and every test (needs terraform on PATH)
test:
	bash scripts/test.sh

## make install [DIR=path]: release build laid into a Terraform filesystem mirror
install:
	bash scripts/install.sh $(DIR)

## make release: dist/ zip for this platform, SHA256SUMS (signed when GPG_FINGERPRINT is set) and manifest
release:
	bash scripts/release.sh

## make bench: the benchmarks (scripts/bench.sh)
bench:
	bash scripts/bench.sh

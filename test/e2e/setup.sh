#!/usr/bin/env bash
# Installs what the VS Code test layers need, outside the source tree:
#   - Debian packages: chromium (the browser Playwright drives), ripgrep (VS Code's search binary),
#     libkrb5-dev (headers for code-server's `kerberos` native module);
#   - code-server 4.100.3 (= VS Code 1.100.3, the last line that runs on Node 20) from the npm
#     registry, into ${LAYER_PROBE_E2E_CACHE:-$HOME/.cache/layer-probe-e2e}/code-server-4.100.3.
# Nothing is downloaded from outside the npm registry and Debian: @vscode/ripgrep's postinstall would
# fetch rg from GitHub, so its download cache is pre-seeded with Debian's rg. Idempotent: a second run
# only checks what is there. Prints the code-server binary's path as its last line.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE=${LAYER_PROBE_E2E_CACHE:-$HOME/.cache/layer-probe-e2e}
PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
BIN="$PREFIX/node_modules/.bin/code-server"
MARKER="$PREFIX/.installed"

log() { printf '[e2e setup] %s\n' "$*" >&2; }

# ── Debian packages ──────────────────────────────────────────────────────────────────────────────
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
[ -e /usr/include/krb5.h ] || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ── code-server ──────────────────────────────────────────────────────────────────────────────────
if [ -f "$MARKER" ] && [ -x "$BIN" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
  echo "$BIN"
  exit 0
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || { log "code-server $CODE_SERVER_VERSION needs Node 20, found $(node -v)"; exit 1; }

log "installing code-server $CODE_SERVER_VERSION into $PREFIX (a few minutes: native modules are compiled)"
rm -rf "$PREFIX"
mkdir -p "$PREFIX/tmp"
echo '{ "name": "layer-probe-e2e-code-server", "private": true }' >"$PREFIX/package.json"

# @vscode/ripgrep (1.15.x) downloads ripgrep-<version>-<target>.tar.gz into
# $TMPDIR/vscode-ripgrep-cache-<package version>/ unless the archive is already there: put Debian's rg
# there under the name it expects. (Every 1.15.x uses v13.0.0-10; seeding a few versions costs nothing.)
seed=$(mktemp -d)
cp "$(command -v rg)" "$seed/rg"
for v in 1.15.9 1.15.10 1.15.11 1.15.12 1.15.13 1.15.14; do
  mkdir -p "$PREFIX/tmp/vscode-ripgrep-cache-$v"
  tar -czf "$PREFIX/tmp/vscode-ripgrep-cache-$v/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$seed" rg
done
rm -rf "$seed"

# code-server's postinstall refuses to run as root without unsafe-perm, and runs `npm install` in
# lib/vscode and lib/vscode/extensions (which must not prompt).
(
  cd "$PREFIX"
  export TMPDIR="$PREFIX/tmp" npm_config_unsafe_perm=true npm_config_yes=true
  npm install --no-audit --no-fund --no-update-notifier --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2
)

rg_bin="$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
[ -x "$rg_bin" ] || { log "ripgrep was not installed at $rg_bin"; exit 1; }
"$BIN" --config "$PREFIX/config.yaml" --version >&2  # --config: do not write ~/.config/code-server
rm -rf "$PREFIX/tmp"
touch "$MARKER"
log "done"
echo "$BIN"

# Shared by the page checks (check-html, lighthouse, screenshots): tools, builds, a local server.
# Source it; it defines functions only.

# Where npm tools are installed: outside the clone, so fresh clones (CI) reuse them.
QUIRE_TOOLS="${QUIRE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/quire-tools}"

# apt_install PACKAGE...: installs Debian packages when running as root, else explains.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing $* with apt-get" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "error: $* needed; install it with your package manager" >&2
    return 1
  fi
}

# need_command COMMAND PACKAGE: makes sure COMMAND exists, installing PACKAGE if not.
need_command() {
  command -v "$1" >/dev/null || apt_install "$2"
}

# npm_tool PACKAGE@VERSION: installs an npm package into $QUIRE_TOOLS once (no install
# scripts: vnu-jar's would download a Java runtime, and we use the system's).
npm_tool() {
  local spec=$1 name=${1%@*}
  need_command npm npm
  if ! [ -f "$QUIRE_TOOLS/node_modules/$name/package.json" ] ||
    [ "$(node -p "require('$QUIRE_TOOLS/node_modules/$name/package.json').version")" != "${spec##*@}" ]; then
    echo "installing $spec into $QUIRE_TOOLS" >&2
    mkdir -p "$QUIRE_TOOLS"
    npm install --prefix "$QUIRE_TOOLS" --no-audit --no-fund --ignore-scripts --loglevel=error "$spec" >&2
  fi
}

# quire_bin: builds the quire binary and prints its path.
quire_bin() {
  cargo build --quiet --locked >&2
  quire_bin_path
}

# quire_bin_path: where `cargo build` puts the debug binary. Cargo is asked, since
# CARGO_TARGET_DIR (or `build.target-dir` in a cargo config) moves it out of target/.
quire_bin_path() {
  local target_dir
  target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])') || return 1
  echo "$target_dir/debug/quire"
}

# serve DIR: serves DIR on 127.0.0.1 on a free port; sets SERVER_PID and BASE_URL.
# The caller builds the site with `--base-url "$BASE_URL"` before or after, and kills the server.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
serve() {
  local dir=$1 port=${2:-$(free_port)}
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" >/dev/null 2>&1 &
  SERVER_PID=$!
  BASE_URL="http://127.0.0.1:$port/"
  local deadline=$((SECONDS + 20))
  until curl -fsS -o /dev/null "$BASE_URL" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "error: the local server on $BASE_URL did not start" >&2
      return 1
    fi
    sleep 0.2
  done
}

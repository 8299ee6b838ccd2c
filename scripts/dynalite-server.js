#!/usr/bin/env node
// Runs dynalite (an in-memory DynamoDB-compatible server) on 127.0.0.1.
//
// Usage: node scripts/dynalite-server.js [port]   (port 0 or absent: any free port)
//
// Prints one line `listening <port>` once it accepts connections. It stops on SIGINT/SIGTERM
// and, when started with a piped stdin, as soon as that stdin closes, so a test harness that
// dies never leaves a server behind.
'use strict';
const dynalite = require('dynalite');

const port = Number(process.argv[2] || 0);
// Tables become ACTIVE at once instead of after dynalite's default 500 ms.
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (!process.stdin.isTTY) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

#!/usr/bin/env node
// Prints `make dev`'s try-it lines for the API on port argv[2], with the credentials of the
// seed summary argv[3] (`admin seed --json`). scripts/dev-check.mjs runs every line printed here.
import { readFileSync } from 'node:fs';

const [port, seedFile] = process.argv.slice(2);
const seed = JSON.parse(readFileSync(seedFile, 'utf8'));
const [ada, grace] = seed.users;
const base = `http://127.0.0.1:${port}`;
const key = `-H "X-API-KEY: ${seed.api_key.key}" -H "X-API-SECRET: ${seed.api_key.secret}"`;
console.log(`
The API is starting on ${base}. Try:

  # GET /me with the session cookie (${ada.email})
  curl -i --cookie "__session=${ada.token}" ${base}/me

  # GET /me with a bearer token (${grace.email})
  curl -i -H "Authorization: Bearer ${grace.token}" ${base}/me

  # GET /me without a credential: 401
  curl -i ${base}/me

  # GET /users/me with a bearer token (JSON:API)
  curl -i -H "X-Domain: ${seed.tenant_id}" -H "Authorization: Bearer ${ada.token}" ${base}/users/me

  # GET /users/me with the demo API key, profile included
  curl -i -H "X-Domain: ${seed.tenant_id}" ${key} "${base}/users/me?include=profile"

  # the same through the Lambda event files
  cargo lambda invoke get-me --invoke-port ${port} --data-file events/get-me.json
  cargo lambda invoke get-users-me --invoke-port ${port} --data-file events/get-users-me-include-profile.json

Ctrl-C stops the API and the local DynamoDB server.
`);

// Package api serves the JSON API v1 described by api/openapi.yaml. Handlers
// call the same services as the web UI; clients authenticate with personal
// access tokens (Authorization: Bearer pat_...). Errors use one envelope:
// {"error":{"code","message","fields"}}. Anything the viewer may not see
// answers 404, exactly as on the web.
package api

// Package api holds the JSON API contract, api/openapi.yaml, written first
// and served at /api/v1/openapi.yaml. The handlers live in internal/api.
package api

import _ "embed"

// OpenAPI is the API contract.
//
//go:embed openapi.yaml
var OpenAPI []byte

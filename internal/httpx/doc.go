// Package httpx holds the small HTTP pieces web and api share: the mapping of
// errors to status codes, JSON helpers, client addresses, rate limits and the
// middleware chain (recover, request id and access log, security headers).
package httpx

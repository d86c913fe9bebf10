// Package auth owns accounts and how people prove who they are: passwords
// (argon2id), server-side browser sessions, personal access tokens, and the
// one-time tokens sent by email for verification and password reset.
//
// Secrets (session cookies, API tokens, email tokens) are 256 random bits from
// crypto/rand; only their SHA-256 hashes are stored, so a database leak does
// not hand out live credentials. Sessions and tokens are looked up on every
// request and checked against the account's current status, so suspension,
// deletion, a role change or a password change take effect on the next request.
package auth

// Package atk holds the attack checklist of SECURITY.md (section A.1, R8):
// one test per row, named TestATKNN_..., each replaying a vulnerability
// class reported against a peer product against Practica's real router and
// databases. Rows whose feature Practica lacks skip with "feature missing"
// and name it. Run them with
// `go test ./internal/security/atk/ -run ATK -v`.
package atk

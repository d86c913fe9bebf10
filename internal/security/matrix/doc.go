// Package matrix is the end-to-end permission matrix (SECURITY.md R9): one
// expected allow/deny table, matrix.txt, asserted cell by cell through the
// real surfaces: the web router, the JSON API, search, the member data
// export and the outbox.
//
// How to read matrix.txt: each row names an action, the surface it goes
// through, the visibility of the space the content lives in and the state of
// that content; each column is a role (listed on the "roles:" line, explained
// in the file's comments). A cell is what that role gets: a status code (404
// for what the role may not see, 403 or 401 for what it sees but may not do),
// "ok" for an action that took effect, "shown" or "hidden" for a marker that
// must or must not appear in a page, list, search result, export or email,
// and "-" for a door the role does not have (a read-only token has no browser
// session; a guest has no mailbox). Features that do not exist yet are "n/a"
// lines naming them, and cells the product gets wrong today are "known-bug"
// lines, reported as skipped with their description until they are fixed.
//
// The test (matrix_test.go) builds one fixture world per run, performs the
// real request for every cell as that role, and fails when a cell disagrees,
// when a row names an action it cannot perform, or when a row the probes
// expect is missing from the table: no cell is silently left out. The package
// holds no code besides this comment; everything lives in the tests.
package matrix

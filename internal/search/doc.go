// Package search reads what people type into a search box: words, "quoted
// phrases", [tags] and key:value filters such as space:, user:, is:question,
// score:3 or created:2026-01..2026-06. It is pure Go with no SQL and no I/O;
// the content service turns a Query into a store search, which applies the
// viewer's visibility filter.
//
// Rules: anything that is not a valid filter is a plain word, so a query
// never fails because of a typo; input is capped (MaxLen bytes, MaxTerms
// terms) so the SQL built from it stays small; Query.String prints a
// canonical form that Parse reads back to the same Query.
package search

// Package content owns topics of every kind and the posts under them: creating,
// replying, editing with revisions, soft delete and restore, pin, lock, move,
// tags, the lists of latest topics, and search (queries parsed by package
// search, similar questions). Reads of single objects go through
// policy.Check; lists and searches go through the store's visibility filter.
package content

// Package content owns topics of every kind and the posts under them: creating,
// replying, editing with revisions, soft delete and restore, pin, lock, move,
// tags, and the lists of latest topics. Reads of single objects go through
// policy.Check; lists go through the store's visibility filter.
package content

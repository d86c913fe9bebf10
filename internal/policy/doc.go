// Package policy is the one place that decides who may see and do what.
//
// Check answers every single-object question; Scope describes what a viewer may
// list, and the store turns a Scope into the one SQL filter every list query
// uses. Anything a viewer may not see is reported as NotFound, never Forbidden,
// so that private things do not betray their existence. The package is pure:
// callers load the space, the viewer's role in it and the object first.
package policy
